package bench

import "strings"

// ChromeHeaders are the 10 header fields a desktop Chrome sends with a
// navigation GET, in its order, Host first. Every benchmark and load test
// sends these, so that each implementation parses the same bytes.
var ChromeHeaders = [][2]string{
	{"Host", "localhost:8080"},
	{"Connection", "keep-alive"},
	{"sec-ch-ua", `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`},
	{"sec-ch-ua-mobile", "?0"},
	{"sec-ch-ua-platform", `"Linux"`},
	{"Upgrade-Insecure-Requests", "1"},
	{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
	{"Accept-Language", "en-US,en;q=0.9"},
}

// ChromeUserAgent is the User-Agent value of ChromeHeaders.
const ChromeUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

// BuildRequest returns a bodiless request head for method and target with
// ChromeHeaders.
func BuildRequest(method, target string) []byte {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	for _, kv := range ChromeHeaders {
		b.WriteString(kv[0] + ": " + kv[1] + "\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// ChromeGET is "GET /plaintext" with ChromeHeaders: the request of every
// parse, serve and load benchmark.
var ChromeGET = BuildRequest("GET", "/plaintext")

// Body of /plaintext, and its Content-Type.
const (
	HelloWorld       = "Hello, World!"
	ContentTypePlain = "text/plain"
	ContentTypeJSON  = "application/json"
)
