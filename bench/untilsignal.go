package bench

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// UntilSignal waits until the process gets SIGTERM or SIGINT, then shuts
// the server down with shutdown and returns nil, or until the server
// stops by itself (served), and returns its error. Open keep-alive
// connections may keep a graceful shutdown waiting: it gets a second,
// then the caller exits anyway. The benchmark servers (cmd/benchserver,
// cmd/proxyserver) run under it.
func UntilSignal(shutdown func(context.Context) error, served <-chan error) error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	select {
	case <-sig:
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = shutdown(ctx)
		return nil
	case err := <-served:
		return err
	}
}
