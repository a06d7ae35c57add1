package debughandler_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/debughandler"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
	"github.com/volthttp/volt/volttest"
)

func ExampleMount() {
	r := &router.Router{}
	debughandler.Mount(r, "/admin", middleware.BasicAuth(middleware.BasicAuthConfig{
		Users: map[string]string{"ops": "secret"},
	}))
	srv := volttest.NewServer(r.Handler)
	defer srv.Close()

	get := func(path string, auth bool) (int, []byte) {
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		defer volt.ReleaseRequest(req)
		defer volt.ReleaseResponse(resp)
		req.SetRequestURI(srv.URL + path)
		if auth {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("ops:secret")))
		}
		if err := srv.Client().Do(req, resp); err != nil {
			return 0, nil
		}
		return resp.StatusCode(), append([]byte(nil), resp.Body()...)
	}

	status, _ := get("/admin/debug/vars", false)
	fmt.Println("without credentials:", status)

	status, body := get("/admin/debug/vars", true)
	var vars map[string]any
	_ = json.Unmarshal(body, &vars)
	fmt.Println("with credentials:", status, vars["memstats"] != nil)

	status, body = get("/admin/debug/pprof/", true)
	fmt.Println("index:", status, strings.Contains(string(body), "goroutine"))
	// Output:
	// without credentials: 401
	// with credentials: 200 true
	// index: 200 true
}
