package adaptor_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/adaptor"
	"github.com/volthttp/volt/volttest"
)

// Serve a net/http mux with volt.
func ExampleNewHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s from %s", r.PathValue("name"), r.Proto)
	})
	srv := volttest.NewServer(adaptor.NewHandler(mux))
	defer srv.Close()

	status, body, err := srv.Client().Get(nil, srv.URL+"/hello/gopher")
	fmt.Println(status, string(body), err)
	// Output: 200 hello gopher from HTTP/1.1 <nil>
}

// Serve a volt handler from net/http.
func ExampleHTTPHandler() {
	h := adaptor.HTTPHandler(func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", ctx.Method(), ctx.Path())
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/from/nethttp")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 GET /from/nethttp
}

// Call net/http code from a volt handler.
func ExampleConvertRequest() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		var r http.Request
		if err := adaptor.ConvertRequest(ctx, &r, false); err != nil {
			ctx.Error(err.Error(), volt.StatusBadRequest)
			return
		}
		fmt.Fprintf(ctx, "%s %s ua=%s", r.Method, r.URL, r.UserAgent())
	})
	defer srv.Close()

	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI(srv.URL + "/path?q=1")
	req.Header.Set("User-Agent", "example")
	err := srv.Client().Do(req, resp)
	fmt.Println(resp.StatusCode(), string(resp.Body()), err)
	// Output: 200 GET http://volttest.local/path?q=1 ua=example <nil>
}
