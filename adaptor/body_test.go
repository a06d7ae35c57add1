package adaptor

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestNewHandlerStreamedBody checks that with Server.StreamRequestBody
// the handler reads the body as the client sends it: it gets the first
// line before the client sends the second. The request trailers arrive
// at the end of the body.
func TestNewHandlerStreamedBody(t *testing.T) {
	firstRead := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		br := bufio.NewReader(r.Body)
		first, _ := br.ReadString('\n')
		close(firstRead)
		rest, err := io.ReadAll(br)
		fmt.Fprintf(w, "%q %q %v length=%d trailer=%q", first, rest, err, r.ContentLength, r.Trailer.Get("X-Check"))
	}
	for _, p := range []peer{{name: "http1", stream: true}, {name: "h2c", h2: true, stream: true}} {
		t.Run(p.name, func(t *testing.T) {
			firstRead = make(chan struct{})
			url, client := serveVolt(t, NewHandlerFunc(h), p)
			pr, pw := io.Pipe()
			req, _ := http.NewRequest("PUT", url, pr)
			req.Trailer = http.Header{"X-Check": nil}
			go func() {
				io.WriteString(pw, "one\n")
				select {
				case <-firstRead:
				case <-time.After(5 * time.Second):
				}
				req.Trailer.Set("X-Check", "ok")
				io.WriteString(pw, "two\n")
				pw.Close()
			}()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := `"one\n" "two\n" <nil> length=-1 trailer="ok"`; string(body) != want {
				t.Fatalf("got %s, want %s", body, want)
			}
		})
	}
}
