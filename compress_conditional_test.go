package volt

import (
	"strings"
	"testing"
)

// etagHandler answers with a strong ETag and a compressible body, or 304
// when If-None-Match lists the tag (weak comparison, RFC 9110 section
// 13.1.2), as a handler that does its own conditional requests would.
func etagHandler(ctx *RequestCtx) {
	const tag = `"v1"`
	ctx.Response.Header.Set(HeaderETag, tag)
	ctx.Response.Header.Set(HeaderCacheControl, "max-age=60")
	if inm := string(ctx.Request.Header.Peek(HeaderIfNoneMatch)); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if strings.TrimPrefix(strings.TrimSpace(t), "W/") == tag {
				ctx.SetStatusCode(StatusNotModified)
				return
			}
		}
	}
	ctx.SetContentType("text/plain")
	ctx.WriteString(textBody)
}

// TestCompress304CarriesVaryAndETag checks RFC 9110 section 15.4.5 for
// CompressHandler: a 304 carries the Vary and the (weak) ETag of the
// compressed 200 it stands for, and the strong ETag of an identity 200.
func TestCompress304CarriesVaryAndETag(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(etagHandler, nil)})
	full, _ := roundTrip(t, ln, request("GET", "/", "Accept-Encoding: gzip"))
	if full.StatusCode != 200 || full.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("200: %d %q", full.StatusCode, full.Header.Get("Content-Encoding"))
	}
	etag, vary := full.Header.Get("ETag"), full.Header.Get("Vary")
	if etag != `W/"v1"` || vary != "Accept-Encoding" {
		t.Fatalf("200: ETag %q Vary %q", etag, vary)
	}
	cases := []struct{ name, inm, wantETag string }{
		{"compressed", "If-None-Match: " + etag, etag},
		{"compressed among others", `If-None-Match: "x", W/"v1"`, etag},
		{"identity", `If-None-Match: "v1"`, `"v1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nm, _ := roundTrip(t, ln, request("GET", "/", "Accept-Encoding: gzip", tc.inm))
			if nm.StatusCode != 304 {
				t.Fatalf("status %d", nm.StatusCode)
			}
			if nm.Header.Get("ETag") != tc.wantETag || nm.Header.Get("Vary") != vary ||
				nm.Header.Get("Cache-Control") != "max-age=60" {
				t.Fatalf("304: ETag %q Vary %q Cache-Control %q, want %q %q", nm.Header.Get("ETag"),
					nm.Header.Get("Vary"), nm.Header.Get("Cache-Control"), tc.wantETag, vary)
			}
		})
	}
}
