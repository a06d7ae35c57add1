package routeset

import "testing"

// TestGitHub: 203 routes, each path made from its pattern.
func TestGitHub(t *testing.T) {
	routes := GitHub()
	if len(routes) != 203 {
		t.Fatalf("%d routes, want 203", len(routes))
	}
	for _, rt := range routes {
		if rt.Method == "" || rt.Pattern[0] != '/' {
			t.Fatalf("route %+v", rt)
		}
	}
	rt := routes[len(routes)-1]
	if rt.Pattern != "/user/keys/{id}" || rt.Path != "/user/keys/v-id" ||
		len(rt.Params) != 1 || rt.Params[0] != [2]string{"id", "v-id"} {
		t.Fatalf("last route %+v", rt)
	}
}
