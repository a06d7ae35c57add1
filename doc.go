// Package volt is an HTTP/1.1 server and client core with pooled objects,
// byte-slice APIs and no allocation per request in steady state.
package volt
