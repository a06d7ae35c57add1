package tlsutil_test

import (
	"crypto/tls"
	"fmt"

	"github.com/volthttp/volt/tlsutil"
)

func ExampleNewCA() {
	ca, err := tlsutil.NewCA("dev CA")
	if err != nil {
		panic(err)
	}
	cert, err := ca.Issue("localhost", "127.0.0.1")
	if err != nil {
		panic(err)
	}
	server := tlsutil.ServerConfig(cert)
	client := tlsutil.ClientConfig(ca.Pool())
	fmt.Println(cert.Leaf.DNSNames, cert.Leaf.IPAddresses)
	fmt.Println(server.MinVersion == tls.VersionTLS12, client.RootCAs != nil)
	// Output:
	// [localhost] [127.0.0.1]
	// true true
}

func ExampleCertSet() {
	ca, _ := tlsutil.NewCA("dev CA")
	site, _ := ca.Issue("example.com")
	apps, _ := ca.Issue("*.apps.example.com")
	var set tlsutil.CertSet
	set.Add(site)
	set.Add(apps)
	for _, name := range []string{"example.com", "api.apps.example.com", "other.test"} {
		c, _ := set.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
		fmt.Println(name, "->", c.Leaf.DNSNames[0])
	}
	// Output:
	// example.com -> example.com
	// api.apps.example.com -> *.apps.example.com
	// other.test -> example.com
}
