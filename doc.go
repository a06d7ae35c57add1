// Package volt is an HTTP server and client core for Go built for speed:
// pooled objects, byte-slice APIs and no allocation per request in steady
// state, with one handler type for every protocol.
//
// # Serving
//
//	srv := &volt.Server{
//		Handler: func(ctx *volt.RequestCtx) {
//			ctx.SetContentType("text/plain; charset=utf-8")
//			fmt.Fprintf(ctx, "Hello from %s", ctx.Path())
//		},
//		HeaderTimeout: 10 * time.Second,
//	}
//	log.Fatal(srv.ListenAndServe("127.0.0.1:8080"))
//
// # Reading a request
//
//	ctx.Method()                         // []byte("GET")
//	ctx.Path()                           // normalised, percent-decoded path
//	ctx.QueryArgs().Peek("page")         // first value of ?page=
//	ctx.Request.Header.Peek("User-Agent") // case-insensitive lookup
//	ctx.PostBody()                       // the body, read before the handler ran
//	ctx.FormValue("name")                // query, urlencoded or multipart form
//
// # Streaming a response
//
// A handler may send part of its response and go on, as with net/http's
// Flusher: on HTTP/1.1 the body is then chunked.
//
//	ctx.WriteString("first part")
//	ctx.Flush()
//	ctx.WriteString("second part")
//
// SetBodyStreamWriter and SetBodyStream produce a body after the handler
// returned; SendFile lets the kernel copy a file.
//
// # Sending requests
//
//	var c volt.Client // zero value works; reuse it
//	status, body, err := c.Get(nil, "https://example.com/")
//
//	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
//	defer volt.ReleaseRequest(req)
//	defer volt.ReleaseResponse(resp)
//	req.SetRequestURI("http://api.internal:8080/v1/items")
//	err = c.DoTimeout(req, resp, 2*time.Second)
//
// HostClient pools connections to one host; LBClient spreads requests over
// several; PipelineClient pipelines them.
//
// With package volt/http2 linked into the program (a blank import is
// enough), Client and HostClient speak HTTP/2 to https servers that choose
// it by ALPN, and to http servers with ConnConfig.HTTP2PriorKnowledge: one
// connection then carries many requests at once, up to the server's
// stream limit, more connections opening within MaxConns when it is
// reached. ConnConfig.DisableHTTP2 keeps HTTP/1.1; Response.Header.IsHTTP2
// tells which protocol answered. The calls are the same, and a
// steady-state Do allocates nothing on either protocol.
//
//	import _ "github.com/volthttp/volt/http2"
//
// # Static files and compression
//
// FS serves a directory safely (nothing outside Root is reachable), with
// ranges, conditional requests, listings and cached compressed variants;
// CompressHandler compresses the responses of any handler.
//
//	fs := &volt.FS{Root: "./public", Compress: true, AcceptByteRange: true}
//	srv := &volt.Server{Handler: fs.Handler()}
//
//	srv := &volt.Server{Handler: volt.CompressHandler(api, nil)}
//
// Request bodies sent with a Content-Encoding are decoded on demand, up to
// a limit: ctx.Request.BodyDecoded(maxBytes).
//
// # Dialing, proxies and tracing
//
// Client and HostClient open connections with a Dialer (a DNS cache,
// IPv6/IPv4 happy eyeballs, Unix sockets) unless ConnConfig.Dial is set.
// ConnConfig.Proxy sends them through an HTTP, HTTPS or SOCKS5 proxy
// (ProxyFromEnvironment reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY), and
// ConnConfig.Trace reports each step of a request.
//
//	c := &volt.Client{ConnConfig: volt.ConnConfig{
//		Dial:  (&volt.Dialer{DNSCacheTTL: 10 * time.Second}).Dial,
//		Proxy: volt.ProxyFromEnvironment,
//	}}
//
// # Cancellation
//
// RequestCtx is a context.Context. Its Done channel closes when the server
// shuts down or when the client goes away while the handler runs; pass
// ctx to database calls and outbound requests.
//
//	select {
//	case res := <-work:
//		ctx.Write(res)
//	case <-ctx.Done():
//		return // the client left; ctx.Err() says why
//	}
//
// # Lifetimes
//
// Everything a handler reaches from its RequestCtx is valid only until
// the handler returns: the server reuses the RequestCtx, and the slices
// returned by Method, Path, Peek and Body point into the connection's
// read buffer. Copy what you keep: string(b) or append([]byte(nil), b...).
//
// Pooled types (RequestCtx, Request, Response, URI, Args, Cookie) follow
// one rule: the file of each type holds the type, its sync.Pool, its
// AcquireX and ReleaseX functions and its Reset. ReleaseX calls Reset; the
// object must not be touched after it was released.
//
// # Strict parsing
//
// The HTTP/1.1 parser follows RFC 9112 strictly and rejects ambiguous
// messages rather than guess (request smuggling): both Content-Length and
// Transfer-Encoding, differing lengths, obs-fold, bare CR or LF, bytes
// outside the grammar. Each rejection gets its status code (400, 413, 414,
// 431, 501, 505) and the connection is closed. Server.Lenient turns on
// the few leniencies an old client may need.
//
// # Protocols
//
// HTTP/1.1 is built in. Other protocols plug into a Server through
// RegisterProtocol (by ALPN name) and RegisterPreface (by the bytes a
// cleartext connection starts with); they serve the same RequestHandler
// through ServerConn.AcquireCtx and ServerConn.Handle.
//
// The examples directory holds complete programs: examples/hello is the
// smallest, examples/fileserver a static file server, examples/fetch a
// small curl built on Client, examples/demo a tour in the browser.
package volt
