//go:build !unix

package fastcgi

// idleCheck is empty where sockets cannot be looked at without waiting.
type idleCheck struct{}

func (cn *conn) initIdle() {}

// alive reports whether an idle connection may carry a request: nothing
// is buffered from it. A connection the application closed is found when
// the request fails.
func (cn *conn) alive() bool { return cn.br.Buffered() == 0 }
