package websocket

import (
	"reflect"
	"testing"
)

func TestParseExtensions(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want []extension
		ok   bool
	}{
		{"permessage-deflate", []extension{{name: "permessage-deflate"}}, true},
		{"permessage-deflate; client_max_window_bits", []extension{{name: "permessage-deflate", params: []extParam{{name: "client_max_window_bits"}}}}, true},
		{"permessage-deflate;server_max_window_bits=10, permessage-deflate",
			[]extension{{name: "permessage-deflate", params: []extParam{{"server_max_window_bits", "10", true}}}, {name: "permessage-deflate"}}, true},
		{`permessage-deflate; server_max_window_bits="10"`, []extension{{name: "permessage-deflate", params: []extParam{{"server_max_window_bits", "10", true}}}}, true},
		{"foo, , bar", []extension{{name: "foo"}, {name: "bar"}}, true},
		{"permessage-deflate; =1", nil, false},
		{"permessage-deflate; a=", nil, false},
		{`permessage-deflate; a="b c"`, nil, false},
		{`permessage-deflate; a="unterminated`, nil, false},
		{"per message", nil, false},
	} {
		got, ok := parseExtensions(nil, tc.v)
		if ok != tc.ok || ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v %v", tc.v, got, ok)
		}
	}
}

// TestAcceptDeflate: the server's side of RFC 7692 section 7.1.
func TestAcceptDeflate(t *testing.T) {
	on := Compression{Enabled: true}
	takeover := Compression{Enabled: true, ContextTakeover: true}
	small := Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: 10}
	smallNoContext := Compression{Enabled: true, MaxWindowBits: 10}
	for _, tc := range []struct {
		name  string
		offer string
		cfg   Compression
		resp  string // "" when declined
		pm    deflateParams
	}{
		{"7.1 plain offer", "permessage-deflate", on,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15}},
		{"browser offer", "permessage-deflate; client_max_window_bits", on,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15}},
		{"context takeover", "permessage-deflate; client_max_window_bits", takeover,
			"permessage-deflate",
			deflateParams{writeBits: 15, readBits: 15}},
		{"7.1.1.1 server_no_context_takeover asked", "permessage-deflate; server_no_context_takeover", takeover,
			"permessage-deflate; server_no_context_takeover",
			deflateParams{writeNoContext: true, writeBits: 15, readBits: 15}},
		{"7.1.2.1 server_max_window_bits", "permessage-deflate; server_max_window_bits=10", takeover,
			"permessage-deflate; server_max_window_bits=10",
			deflateParams{writeBits: 10, readBits: 15}},
		{"7.1.2.2 client_max_window_bits lowered", "permessage-deflate; client_max_window_bits", small,
			"permessage-deflate; client_max_window_bits=10",
			deflateParams{writeBits: 15, readBits: 10}},
		{"7.1.2.2 client_max_window_bits value kept", "permessage-deflate; client_max_window_bits=9", small,
			"permessage-deflate; client_max_window_bits=9",
			deflateParams{writeBits: 15, readBits: 9}},
		{"7.1.2.2 no client_max_window_bits: declined when the window is bounded", "permessage-deflate", small,
			"", deflateParams{}},
		{"7.1.2.2 bounded window: the offer with client_max_window_bits is taken", "permessage-deflate, permessage-deflate; client_max_window_bits", small,
			"permessage-deflate; client_max_window_bits=10",
			deflateParams{writeBits: 15, readBits: 10}},
		{"browser offer, bounded window, no context takeover", "permessage-deflate; client_max_window_bits", smallNoContext,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10",
			deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 10}},
		{"browser offer with both windows", "permessage-deflate; server_max_window_bits=12; client_max_window_bits", small,
			"permessage-deflate; server_max_window_bits=12; client_max_window_bits=10",
			deflateParams{writeBits: 12, readBits: 10}},
		{"client_max_window_bits=15 offered, bounded to 10", "permessage-deflate; client_max_window_bits=15", small,
			"permessage-deflate; client_max_window_bits=10",
			deflateParams{writeBits: 15, readBits: 10}},
		{"client_max_window_bits=8 offered, kept", "permessage-deflate; client_max_window_bits=8", small,
			"permessage-deflate; client_max_window_bits=8",
			deflateParams{writeBits: 15, readBits: 8}},
		{"first acceptable offer", "permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=12", takeover,
			"permessage-deflate; server_max_window_bits=12",
			deflateParams{writeBits: 12, readBits: 15}},
		{"unknown parameter", "permessage-deflate; foo", on, "", deflateParams{}},
		{"duplicate parameter", "permessage-deflate; server_no_context_takeover; server_no_context_takeover", on, "", deflateParams{}},
		{"server_max_window_bits without value", "permessage-deflate; server_max_window_bits", on, "", deflateParams{}},
		{"server_max_window_bits=7", "permessage-deflate; server_max_window_bits=7", on, "", deflateParams{}},
		{"server_max_window_bits=16", "permessage-deflate; server_max_window_bits=16", on, "", deflateParams{}},
		{"leading zero", "permessage-deflate; server_max_window_bits=010", on, "", deflateParams{}},
		{"no_context_takeover with value", "permessage-deflate; client_no_context_takeover=1", on, "", deflateParams{}},
		{"other extension", "x-webkit-deflate-frame", on, "", deflateParams{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offers, ok := parseExtensions(nil, tc.offer)
			if !ok {
				t.Fatal("offer does not parse")
			}
			resp, pm, ok := acceptDeflate(offers, &tc.cfg)
			if ok != (tc.resp != "") || resp != tc.resp {
				t.Fatalf("response %q %v, want %q", resp, ok, tc.resp)
			}
			if !ok {
				return
			}
			pm.level, pm.minSize = 0, 0
			if pm != tc.pm {
				t.Fatalf("params %+v, want %+v", pm, tc.pm)
			}
			// The client side agrees with the response.
			cfg := tc.cfg
			exts, _ := parseExtensions(nil, resp)
			cpm, reason := checkDeflateResponse(&exts[0], &Compression{Enabled: true, ContextTakeover: cfg.ContextTakeover})
			if reason != "" {
				t.Fatalf("client refuses %q: %s", resp, reason)
			}
			if cpm.writeNoContext != pm.readNoContext || cpm.readNoContext != pm.writeNoContext ||
				cpm.writeBits != pm.readBits || cpm.readBits != pm.writeBits {
				t.Fatalf("client params %+v, server %+v", cpm, pm)
			}
		})
	}
}

// TestCheckDeflateResponse: the client's side of RFC 7692 section 7.1.
func TestCheckDeflateResponse(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp string
		cfg  Compression
		ok   bool
	}{
		{"accepted as offered", "permessage-deflate; server_no_context_takeover; client_no_context_takeover", Compression{Enabled: true}, true},
		{"7.1.1.1 server_no_context_takeover missing", "permessage-deflate", Compression{Enabled: true}, false},
		{"context takeover", "permessage-deflate", Compression{Enabled: true, ContextTakeover: true}, true},
		{"client_max_window_bits with value", "permessage-deflate; client_max_window_bits=10", Compression{Enabled: true, ContextTakeover: true}, true},
		{"7.1.2.2 client_max_window_bits without value", "permessage-deflate; client_max_window_bits", Compression{Enabled: true, ContextTakeover: true}, false},
		{"7.1.2.1 server window larger than offered", "permessage-deflate; server_max_window_bits=12", Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: 10}, false},
		{"7.1.2.1 server window as offered", "permessage-deflate; server_max_window_bits=10", Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: 10}, true},
		{"unknown parameter", "permessage-deflate; foo", Compression{Enabled: true, ContextTakeover: true}, false},
		{"other extension", "foo", Compression{Enabled: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exts, ok := parseExtensions(nil, tc.resp)
			if !ok {
				t.Fatal("does not parse")
			}
			_, reason := checkDeflateResponse(&exts[0], &tc.cfg)
			if (reason == "") != tc.ok {
				t.Fatalf("reason %q, want ok=%v", reason, tc.ok)
			}
		})
	}
}

func TestOfferDeflate(t *testing.T) {
	for cfg, want := range map[Compression]string{
		{Enabled: true}:                                           "permessage-deflate; client_max_window_bits; server_no_context_takeover; client_no_context_takeover",
		{Enabled: true, ContextTakeover: true}:                    "permessage-deflate; client_max_window_bits",
		{Enabled: true, ContextTakeover: true, MaxWindowBits: 11}: "permessage-deflate; client_max_window_bits; server_max_window_bits=11",
	} {
		if got := offerDeflate(&cfg); got != want {
			t.Errorf("%+v: %q", cfg, got)
		}
	}
}
