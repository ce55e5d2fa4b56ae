package simulator

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/netip"
)

// keyHeader carries the API key.
const keyHeader = "X-RJM-API-Key"

// authorize checks the API key and the caller's address against the key's
// allow-list, answering 403 when either is wrong. The client id is checked
// per route (see ServeHTTP). Messages never contain the key.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get(keyHeader)
	if key == "" {
		writeError(w, http.StatusForbidden, "missing API key: send it in the "+keyHeader+" header")
		return false
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.Key)) != 1 {
		writeError(w, http.StatusForbidden, "invalid API key")
		return false
	}
	addr, ok := remoteAddr(r)
	if !ok || !s.allowed(addr) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("IP address %s is not allowed for this API key", addr))
		return false
	}
	return true
}

func (s *Server) allowed(addr netip.Addr) bool {
	for _, p := range s.cfg.Allow {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// remoteAddr is the caller's IP address from the connection (forwarding
// headers are not trusted).
func remoteAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, err := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap(), err == nil
	}
	return ap.Addr().Unmap(), true
}
