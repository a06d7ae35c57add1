package adaptor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// echoRequest writes what the handler saw of the request.
func echoRequest(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	c, _ := r.Cookie("session")
	fmt.Fprintf(w, "method=%s\nuri=%s\npath=%s\nquery=%s\nhost=%s\nproto=%s\ntls=%v\nremote=%v\n",
		r.Method, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Host, r.Proto, r.TLS != nil, r.RemoteAddr != "")
	fmt.Fprintf(w, "x-multi=%q\ncookie=%v\nlength=%d\nbody=%s\n", r.Header.Values("X-Multi"), c, r.ContentLength, body)
}

func TestNewHandlerRequest(t *testing.T) {
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			url, client := serveVolt(t, NewHandlerFunc(echoRequest), p)
			req, _ := http.NewRequest("POST", url+"/a/b%20c?x=1&y=2", strings.NewReader("hello"))
			req.Header.Add("X-Multi", "one")
			req.Header.Add("X-Multi", "two")
			req.AddCookie(&http.Cookie{Name: "session", Value: "s1"})
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			proto := "HTTP/1.1"
			if p.h2 {
				proto = "HTTP/2.0"
			}
			for _, want := range []string{
				"method=POST\n", "uri=/a/b%20c?x=1&y=2\n", "path=/a/b c\n", "query=x=1&y=2\n",
				"host=127.0.0.1:", "proto=" + proto + "\n", fmt.Sprintf("tls=%v\n", p.tls), "remote=true\n",
				`x-multi=["one" "two"]`, "cookie=session=s1\n", "length=5\n", "body=hello\n",
			} {
				if !strings.Contains(string(got), want) {
					t.Errorf("response lacks %q:\n%s", want, got)
				}
			}
		})
	}
}

func TestNewHandlerResponse(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/html":
			io.WriteString(w, "<!DOCTYPE html><html><body>hi</body></html>")
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			http.SetCookie(w, &http.Cookie{Name: "k", Value: "v"})
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"ok":true}`)
		case "/empty":
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
			if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
				panic("write to 204 did not fail")
			}
		}
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			url, client := serveVolt(t, NewHandlerFunc(h), p)
			for _, tc := range []struct {
				path, ctype, body string
				code              int
				length            int64
			}{
				{"/html", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>hi</body></html>", 200, 43},
				{"/json", "application/json", `{"ok":true}`, 201, 11},
				{"/empty", "", "", 200, 0},
				{"/nocontent", "", "", 204, -1},
			} {
				resp, err := client.Get(url + tc.path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.code || string(body) != tc.body || resp.Header.Get("Content-Type") != tc.ctype {
					t.Errorf("%s: %d %q %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if tc.code != 204 && resp.ContentLength != tc.length {
					t.Errorf("%s: Content-Length %d, want %d", tc.path, resp.ContentLength, tc.length)
				}
				if tc.path == "/json" {
					if got := resp.Header.Values("X-Multi"); len(got) != 2 && got[0] != "a, b" {
						t.Errorf("X-Multi = %q", got)
					}
					if c := resp.Cookies(); len(c) != 1 || c[0].Name != "k" {
						t.Errorf("cookies = %v", c)
					}
				}
			}
		})
	}
}

// TestNewHandlerFlush checks that Flush sends the first chunk while the
// handler still runs: the handler waits for the client to read it.
func TestNewHandlerFlush(t *testing.T) {
	read := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			io.WriteString(w, "timeout\n")
			return
		}
		io.WriteString(w, "second\n")
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			url, client := serveVolt(t, NewHandlerFunc(h), p)
			resp, err := client.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			line, err := br.ReadString('\n')
			if err != nil || line != "first\n" {
				t.Fatalf("first chunk %q, %v", line, err)
			}
			read <- struct{}{}
			rest, _ := io.ReadAll(br)
			if string(rest) != "second\n" {
				t.Fatalf("rest %q", rest)
			}
		})
	}
}

// TestNewHandlerLargeBody checks that a body past the buffer streams and
// arrives whole.
func TestNewHandlerLargeBody(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10000)
	h := func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 1000 {
			io.WriteString(w, big[i:i+1000])
		}
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			resp, body, err := get(t, h, p)
			if err != nil || string(body) != big {
				t.Fatalf("got %d bytes, %v", len(body), err)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestNewHandlerTrailers(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "body")
		if r.URL.Path == "/flush" {
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Sum", "42")
		w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
	}
	for _, p := range peers {
		for _, path := range []string{"/", "/flush"} {
			t.Run(p.name+path, func(t *testing.T) {
				url, client := serveVolt(t, NewHandlerFunc(h), p)
				resp, err := client.Get(url + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "body" || resp.Trailer.Get("X-Sum") != "42" || resp.Trailer.Get("X-Late") != "yes" {
					t.Fatalf("body %q trailer %v header %v", body, resp.Trailer, resp.Header)
				}
				if resp.Header.Get("X-Sum") != "" {
					t.Errorf("X-Sum sent as a header field too")
				}
			})
		}
	}
}

func TestNewHandlerEarlyHints(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		io.WriteString(w, "final")
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			url, client := serveVolt(t, NewHandlerFunc(h), p)
			var got []string
			trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, hdr textproto.MIMEHeader) error {
				got = append(got, fmt.Sprint(code, " ", hdr.Get("Link")))
				return nil
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", url, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "final" || len(got) != 1 || got[0] != "103 </style.css>; rel=preload; as=style" {
				t.Fatalf("body %q, 1xx %q", body, got)
			}
			if resp.Header.Get("Link") != "" {
				t.Errorf("final response has Link")
			}
		})
	}
}

func TestNewHandlerResponseController(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		fmt.Fprintln(w, "duplex", rc.EnableFullDuplex())
		fmt.Fprintln(w, "deadline", errors.Is(rc.SetReadDeadline(time.Now()), http.ErrNotSupported))
		fmt.Fprintln(w, "flush", rc.Flush())
		_, _, err := rc.Hijack()
		fmt.Fprintln(w, "hijack", err == ErrHijackUnsupported)
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			_, body, _ := get(t, h, p)
			if want := "duplex <nil>\ndeadline true\nflush <nil>\nhijack true\n"; string(body) != want {
				t.Fatalf("got %q", body)
			}
		})
	}
}

// TestNewHandlerVoltClient requests the net/http handler with volt's own
// client, over HTTP/1.1 and HTTP/2 (h2c with prior knowledge).
func TestNewHandlerVoltClient(t *testing.T) {
	for _, p := range []peer{{name: "http1"}, {name: "h2c", h2: true}} {
		t.Run(p.name, func(t *testing.T) {
			url, _ := serveVolt(t, NewHandlerFunc(echoRequest), p)
			c := volt.Client{ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: p.h2}}
			defer c.CloseIdleConnections()
			req, resp := volt.AcquireRequest(), volt.AcquireResponse()
			defer volt.ReleaseRequest(req)
			defer volt.ReleaseResponse(resp)
			req.Header.SetMethod("PUT")
			req.SetRequestURI(url + "/p?q=1")
			req.Header.Add("X-Multi", "one")
			req.Header.Add("X-Multi", "two")
			req.SetBodyString("volt body")
			if err := c.Do(req, resp); err != nil {
				t.Fatal(err)
			}
			proto := "HTTP/1.1"
			if p.h2 {
				proto = "HTTP/2.0"
			}
			for _, want := range []string{"method=PUT\n", "uri=/p?q=1\n", "proto=" + proto + "\n",
				`x-multi=["one" "two"]`, "length=9\n", "body=volt body\n"} {
				if !strings.Contains(string(resp.Body()), want) {
					t.Errorf("response lacks %q:\n%s", want, resp.Body())
				}
			}
		})
	}
}
