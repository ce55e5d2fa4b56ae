package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"terminated backend", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", fmt.Errorf("copy: %w", &pgconn.PgError{Code: "08006"}), true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"unexpected EOF", fmt.Errorf("load x: %w", io.ErrUnexpectedEOF), true},
		{"conn closed", pgconn.ErrConnClosed, true},
		{"cancelled", fmt.Errorf("load x: %w", context.Canceled), false},
		{"lock timeout", &LockError{Table: "x"}, false},
		{"row count", &RowCountError{Got: 1, Want: 2}, false},
		{"plain", errors.New("something"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Retryable(tc.err); got != tc.want {
				t.Errorf("Retryable(%v): got %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
