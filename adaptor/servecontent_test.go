package adaptor

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestNewHandlerServeContent serves net/http's own file serving code
// (http.ServeContent): ranges, HEAD with its Content-Length, 304.
func TestNewHandlerServeContent(t *testing.T) {
	content := strings.Repeat("0123456789", 10000)
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	h := func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "data.txt", mod, strings.NewReader(content))
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			url, client := serveVolt(t, NewHandlerFunc(h), p)
			for _, tc := range []struct {
				method, header, value string
				code                  int
				length                int64
				body                  string
			}{
				{"GET", "", "", 200, int64(len(content)), content},
				{"GET", "Range", "bytes=10-19", 206, 10, "0123456789"},
				{"HEAD", "", "", 200, int64(len(content)), ""},
				{"GET", "If-Modified-Since", mod.Format(http.TimeFormat), 304, -1, ""},
			} {
				req, _ := http.NewRequest(tc.method, url+"/data.txt", nil)
				if tc.header != "" {
					req.Header.Set(tc.header, tc.value)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.code || string(body) != tc.body || tc.length >= 0 && resp.ContentLength != tc.length {
					t.Errorf("%s %s: %d length %d, %d bytes", tc.method, tc.header, resp.StatusCode, resp.ContentLength, len(body))
				}
			}
		})
	}
}
