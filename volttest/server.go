package volttest

import (
	"net"

	"github.com/volthttp/volt"
)

// Server is a volt.Server on an in-memory listener, for tests, in the
// spirit of net/http/httptest.Server:
//
//	srv := volttest.NewServer(handler)
//	defer srv.Close()
//	status, body, err := srv.Client().Get(nil, srv.URL+"/path")
type Server struct {
	// URL is "http://volttest.local", the host every request goes to.
	URL string
	// Listener is the in-memory listener.
	Listener *Listener
	// Config is the server; set its fields before the first request
	// only through NewUnstartedServer.
	Config *volt.Server

	done chan struct{}
}

// NewServer starts a server for h on an in-memory listener.
func NewServer(h volt.RequestHandler) *Server {
	s := NewUnstartedServer(h)
	s.Start()
	return s
}

// NewUnstartedServer returns a server for h that Start starts, so that
// Config can be changed first.
func NewUnstartedServer(h volt.RequestHandler) *Server {
	return &Server{
		URL:      "http://volttest.local",
		Listener: NewListener(),
		Config:   &volt.Server{Handler: h},
	}
}

// Start serves the listener in the background.
func (s *Server) Start() {
	s.done = make(chan struct{})
	go func() {
		_ = s.Config.Serve(s.Listener)
		close(s.done)
	}()
}

// Client returns a client whose every connection goes to the in-memory
// server, whatever the URL's host.
func (s *Server) Client() *volt.Client {
	return &volt.Client{ConnConfig: volt.ConnConfig{Dial: s.Dial}}
}

// Dial opens an in-memory connection to the server; it fits
// volt.ConnConfig.Dial.
func (s *Server) Dial(string) (net.Conn, error) { return s.Listener.Dial() }

// Close stops the server and closes its connections.
func (s *Server) Close() {
	_ = s.Config.Close()
	if s.done != nil {
		<-s.done
	}
}
