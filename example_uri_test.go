package volt_test

import (
	"errors"
	"fmt"

	"github.com/volthttp/volt"
)

func ExampleURI_Parse() {
	u := volt.AcquireURI()
	defer volt.ReleaseURI(u)

	// The server passes the Host header and the request-target.
	err := u.Parse([]byte("Example.com"), []byte("/static/../img/%2e%2e/caf%C3%A9.png?w=100&h=50"), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("host %s\n", u.Host())
	fmt.Printf("path %s\n", u.Path())
	fmt.Printf("sent %s\n", u.PathOriginal())
	w, _ := u.QueryArgs().GetUint("w")
	fmt.Println("w", w)
	fmt.Printf("full %s\n", u.FullURI())
	// Output:
	// host example.com
	// path /café.png
	// sent /static/../img/%2e%2e/caf%C3%A9.png
	// w 100
	// full http://example.com/static/../img/%2e%2e/caf%C3%A9.png?w=100&h=50
}

func ExampleURI_Parse_forms() {
	var u volt.URI
	for _, tc := range []struct {
		target    string
		isConnect bool
	}{
		{"/a?b", false},                   // origin-form
		{"http://h.example/a", false},     // absolute-form
		{"proxy.example:443", true},       // authority-form (CONNECT)
		{"*", false},                      // asterisk-form (OPTIONS)
		{"/a#frag", false},                // fragments are not sent
		{"http://user@h.example/", false}, // nor is userinfo
	} {
		if err := u.Parse([]byte("host.example"), []byte(tc.target), tc.isConnect); err != nil {
			fmt.Printf("%-24s %v\n", tc.target, errors.Is(err, volt.ErrInvalidURI))
			continue
		}
		fmt.Printf("%-24s host=%s path=%s request-uri=%s\n", tc.target, u.Host(), u.Path(), u.RequestURI())
	}
	// Output:
	// /a?b                     host=host.example path=/a request-uri=/a?b
	// http://h.example/a       host=h.example path=/a request-uri=/a
	// proxy.example:443        host=proxy.example:443 path= request-uri=proxy.example:443
	// *                        host=host.example path=* request-uri=*
	// /a#frag                  true
	// http://user@h.example/   true
}

func ExampleURI_Path() {
	var u volt.URI
	for _, target := range []string{
		"/a/./b/../c/",
		"//a///b",
		"/../../etc/passwd",
		"/a/%2e%2e/b",
		"/files/a%2Fb", // an encoded slash is not a separator
		"/100%25",
	} {
		if err := u.Parse(nil, []byte(target), false); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-20s %s\n", target, u.Path())
	}
	// Output:
	// /a/./b/../c/         /a/c/
	// //a///b              /a/b
	// /../../etc/passwd    /etc/passwd
	// /a/%2e%2e/b          /b
	// /files/a%2Fb         /files/a%2Fb
	// /100%25              /100%25
}

func ExampleURI_Set() {
	var u volt.URI
	if err := u.Set("https://Example.com/search?lang=en#results"); err != nil {
		fmt.Println(err)
		return
	}
	u.QueryArgs().Add("q", "café au lait")
	fmt.Printf("%s\n", u.RequestURI())
	fmt.Printf("%s\n", u.Hash())

	u.SetPath("/images/a b.png")
	fmt.Println(u.String())
	// Output:
	// /search?lang=en&q=caf%C3%A9+au+lait
	// results
	// https://example.com/images/a%20b.png?lang=en&q=caf%C3%A9+au+lait#results
}
