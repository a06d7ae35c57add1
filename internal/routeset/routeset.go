// Package routeset holds the GitHub API route set (203 routes, the set of
// go-http-routing-benchmark) for the router's tests and the router
// benchmarks in bench/, each route with a request path that matches it.
package routeset

import (
	_ "embed"
	"strings"
)

//go:embed github-api.txt
var githubAPI string

// Route is one route: its method, its pattern in the router's syntax
// ({name}), a path that matches it (each parameter replaced by "v-" and
// its name) and those parameters as name/value pairs.
type Route struct {
	Method, Pattern, Path string
	Params                [][2]string
}

// GitHub returns the GitHub API routes, in the file's order.
func GitHub() []Route {
	var out []Route
	for _, line := range strings.Split(githubAPI, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		method, pattern, _ := strings.Cut(line, " ")
		rt := Route{Method: method, Pattern: pattern}
		var p strings.Builder
		for _, seg := range strings.Split(pattern, "/")[1:] {
			p.WriteByte('/')
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				rt.Params = append(rt.Params, [2]string{name, "v-" + name})
				p.WriteString("v-" + name)
			} else {
				p.WriteString(seg)
			}
		}
		rt.Path = p.String()
		out = append(out, rt)
	}
	return out
}
