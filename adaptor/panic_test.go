package adaptor

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestNewHandlerPanic checks that a panic reaches volt's recovery: a 500
// when nothing was sent, a truncated body (the connection closes without
// the last chunk) when the head was flushed. Hijack-capable requests,
// which run ServeHTTP on another goroutine, behave the same.
func TestNewHandlerPanic(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flushed" {
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		panic(http.ErrAbortHandler)
	}
	url, client := serveVolt(t, NewHandlerFunc(h), peer{})
	for _, upgrade := range []bool{false, true} {
		req, _ := http.NewRequest("GET", url+"/", nil)
		if upgrade {
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "echo")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Fatalf("upgrade=%v: status %d", upgrade, resp.StatusCode)
		}
	}
	resp, err := client.Get(url + "/flushed")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "part" || err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("body %q, err %v; want a truncated body", body, err)
	}
}
