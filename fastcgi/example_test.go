package fastcgi_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"

	"github.com/volthttp/volt/fastcgi"
	"github.com/volthttp/volt/volttest"
)

// Example serves a site through a FastCGI application. Here the
// application is Go's net/http/fcgi on a Unix socket; with PHP it would
// be php-fpm's socket, as in Addr: "unix:/run/php/php8.2-fpm.sock".
func Example() {
	root, _ := os.MkdirTemp("", "site")
	defer os.RemoveAll(root)
	os.WriteFile(filepath.Join(root, "hello.php"), []byte("<?php echo 'hello';"), 0o644)

	sock := filepath.Join(root, "app.sock")
	ln, _ := net.Listen("unix", sock)
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env := fcgi.ProcessEnv(r)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s ran for %s, name=%s", filepath.Base(env["SCRIPT_FILENAME"]), r.URL.Path, r.FormValue("name"))
	}))

	c, err := fastcgi.New(fastcgi.Config{Addr: "unix:" + sock, Root: root})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	srv := volttest.NewServer(c.Handler)
	defer srv.Close()
	status, body, err := srv.Client().Get(nil, srv.URL+"/hello.php/extra?name=volt")
	fmt.Println(status, string(body), err)
	status, _, _ = srv.Client().Get(nil, srv.URL+"/missing.php")
	fmt.Println(status)
	// Output:
	// 200 hello.php ran for /hello.php/extra, name=volt <nil>
	// 404
}
