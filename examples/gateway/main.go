// Command gateway is a web server in one binary, configured by a JSON
// file: listeners (plain, and TLS with a certificate per host name),
// virtual hosts, static files with compression, rewrites, reverse
// proxying, PHP through FastCGI, redirects, Basic authentication, IP
// rules, access logs and metrics. SIGHUP reloads the file without
// dropping a connection. See README.md and gateway.example.json.
//
//	gateway -config gateway.json
//	gateway -config gateway.json -check
//	gateway -addr 127.0.0.1:8080 -proxy http://127.0.0.1:9000
//	gateway -addr 127.0.0.1:8080 -root /srv/www -fastcgi unix:/run/php/php-fpm.sock
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr, nil))
}

// options are the command line's.
type options struct {
	config  string
	check   bool
	addr    string
	proxy   string
	root    string
	fastcgi string
	log     string
}

// run is the gateway's program: it parses args, loads the configuration,
// serves until ctx ends (then shuts down gracefully) and returns the exit
// code. SIGHUP reloads the configuration file. ready, if set, is called
// with the gateway once it listens.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(*gateway)) int {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.config, "config", "", "the configuration file (JSON)")
	fs.BoolVar(&o.check, "check", false, "check the configuration and exit: 0 if it is valid, 1 with its errors")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "the address to listen on, without -config")
	fs.StringVar(&o.proxy, "proxy", "", "without -config: proxy every request (WebSockets too) to this upstream URL")
	fs.StringVar(&o.root, "root", "", "without -config: the document root (static files, and PHP scripts with -fastcgi)")
	fs.StringVar(&o.fastcgi, "fastcgi", "", "without -config: run .php scripts of -root through the FastCGI application at host:port or unix:/path")
	fs.StringVar(&o.log, "log", "", "without -config: the access log, a file, stdout or stderr (combined format)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gateway: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	hup := make(chan os.Signal, 1) // from now on, SIGHUP reloads (once serving)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var (
		cfg *Config
		pos *positions
		err error
	)
	switch {
	case o.config != "" && (o.proxy != "" || o.root != "" || o.fastcgi != "" || o.log != ""):
		err = errors.New("-config does not go with -proxy, -root, -fastcgi or -log")
	case o.config != "":
		cfg, pos, err = loadConfig(o.config)
	default:
		cfg, pos, err = flagConfig(o)
	}
	var g *gateway
	if err == nil {
		g, err = newGateway(cfg, pos, o.config, logger)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return 1
	}
	if o.check {
		g.current().close()
		fmt.Fprintln(stderr, "gateway: configuration OK")
		return 0
	}
	if err := g.Start(); err != nil {
		g.current().close()
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return 1
	}
	if ready != nil {
		ready(g)
	}
	for {
		select {
		case <-hup:
			if err := g.Reload(); err != nil {
				logger.Error("reload failed; the running configuration is kept", "err", err)
			}
		case <-ctx.Done():
			wait := time.Duration(cfg.Timeouts.Shutdown)
			if wait == 0 {
				wait = 10 * time.Second
			}
			sctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := g.Shutdown(sctx); err != nil {
				logger.Warn("shutdown", "err", err)
			}
			return 0
		}
	}
}

// flagConfig builds the configuration of the one-line modes: -proxy
// proxies everything to one upstream; -root serves a directory, its PHP
// scripts through -fastcgi if given. Its errors name the flags.
func flagConfig(o options) (*Config, *positions, error) {
	pos := newPositions("", nil)
	pos.alias = map[string]string{"listeners[0].addr": "-addr"}
	site := SiteConfig{Default: true}
	switch {
	case o.proxy != "" && (o.root != "" || o.fastcgi != ""):
		return nil, pos, errors.New("-proxy does not go with -root or -fastcgi")
	case o.proxy != "":
		site.Locations = []LocationConfig{{Path: "/", Kind: KindProxy, Upstreams: []string{o.proxy}}}
		pos.alias["sites[0].locations[0].upstreams[0]"] = "-proxy"
		pos.alias["sites[0].locations[0].upstreams"] = "-proxy"
	case o.fastcgi != "":
		if o.root == "" {
			return nil, pos, errors.New("-fastcgi needs -root, the directory of the scripts")
		}
		root, err := filepath.Abs(o.root)
		if err != nil {
			return nil, pos, err
		}
		site.Locations = []LocationConfig{{Path: "/", Kind: KindFastCGI, Addr: o.fastcgi, Root: root, Index: []string{"index.php"}}}
		pos.alias["sites[0].locations[0].addr"] = "-fastcgi"
		pos.alias["sites[0].locations[0].root"] = "-root"
		pos.alias["sites[0].locations[0]"] = "-fastcgi"
	case o.root != "":
		site.Root = o.root
		site.Listing = true
	default:
		return nil, pos, errors.New("want -config FILE, -proxy URL, or -root DIR (with -fastcgi ADDR for PHP)")
	}
	cfg := &Config{Listeners: []ListenerConfig{{Addr: o.addr}}, Sites: []SiteConfig{site}}
	if o.log != "" {
		cfg.AccessLog = &AccessLogConfig{Path: o.log}
		pos.alias["access_log.path"] = "-log"
		pos.alias["access_log"] = "-log"
	}
	checkConfig(cfg, pos)
	return cfg, pos, pos.err()
}
