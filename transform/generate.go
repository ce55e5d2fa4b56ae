package transform

//go:generate go run ./testdata/gen
