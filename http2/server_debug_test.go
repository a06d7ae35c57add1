package http2

import (
	"testing"

	"github.com/volthttp/volt"
)

func TestDebugPostNoLength(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	rc := ts.dialRaw()
	rc.write(AppendHeaders(nil, 1, false, true, rc.block(":method", "POST", ":scheme", "http", ":path", "/echo", ":authority", "x")))
	rc.write(AppendData(nil, 1, true, make([]byte, 16384)))
	r := rc.readResponse(1)
	t.Logf("%+v len %d reset %v %v", r.status, len(r.body), r.reset, r.rst)
}
