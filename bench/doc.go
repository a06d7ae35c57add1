// Package bench compares volt with fasthttp and net/http: micro-benchmarks
// (go test -bench), a load-test server (cmd/benchserver) driven by load.sh,
// and an idle-memory probe (idlemem). It is a separate module so that the
// root module never depends on its peers. See README.md.
package bench
