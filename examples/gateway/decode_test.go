package main

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// FuzzParseConfig checks that any input either decodes into a
// configuration that survives a round trip through encoding/json, or
// fails with errors that each name a line and a column.
func FuzzParseConfig(f *testing.F) {
	if b, err := os.ReadFile("gateway.example.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"listeners": [{"addr": "127.0.0.1:80"}], "sites": [{"root": "/srv", "locations": [{"path": "/", "kind": "metrics"}]}]}`))
	f.Add([]byte(`{"listeners": [{"addr": ":80"}], "timeouts": {"idle": "1m"}, "sites": [{"hosts": ["a"]}, {"hosts": ["a"]}]}`))
	f.Add([]byte(`{"listeners": [`))
	f.Add([]byte(`[1, "x", null, true]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, err := parseConfig("f.json", data)
		if err != nil {
			var es ConfigErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error of type %T: %v", err, err)
			}
			for _, e := range es {
				if e.Line < 1 || e.Col < 1 || e.File != "f.json" {
					t.Fatalf("error without position: %v", e)
				}
			}
			return
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := parseConfig("g.json", b)
		if err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Fatalf("round trip:\n%+v\n%+v", cfg, again)
		}
	})
}
