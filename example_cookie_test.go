package volt_test

import (
	"fmt"
	"time"

	"github.com/volthttp/volt"
)

func ExampleCookie_AppendBytes() {
	c := volt.AcquireCookie()
	defer volt.ReleaseCookie(c)

	c.SetKey("session")
	c.SetValue("8a3f0c2e")
	c.SetPath("/")
	c.SetExpire(time.Date(2030, time.January, 2, 15, 4, 5, 0, time.UTC))
	c.SetMaxAge(3600)
	c.SetHTTPOnly(true)
	c.SetSameSite(volt.CookieSameSiteNone) // also writes Secure

	buf := c.AppendBytes(nil)
	fmt.Printf("Set-Cookie: %s\n", buf)

	// A value with bytes that are not cookie-octets is cleaned on output.
	c.Reset()
	c.SetKey("note")
	c.SetValue("hello, world")
	fmt.Printf("Set-Cookie: %s\n", c.Cookie())
	// Output:
	// Set-Cookie: session=8a3f0c2e; Path=/; Expires=Wed, 02 Jan 2030 15:04:05 GMT; Max-Age=3600; Secure; HttpOnly; SameSite=None
	// Set-Cookie: note=helloworld
}

func ExampleCookie_Parse() {
	var c volt.Cookie
	err := c.Parse(`id="a3fWa"; expires=Wednesday, 21-Oct-15 07:28:00 GMT; path=/; Max-Age=0; samesite=strict; Secure`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s=%s path=%s\n", c.Key(), c.Value(), c.Path())
	fmt.Println("expires:", c.Expire().Format(time.RFC3339))
	fmt.Println("max-age:", c.MaxAge(), "secure:", c.Secure(), "samesite strict:", c.SameSite() == volt.CookieSameSiteStrict)

	fmt.Println(c.Parse("no-equals-sign"))
	// Output:
	// id=a3fWa path=/
	// expires: 2015-10-21T07:28:00Z
	// max-age: -1 secure: true samesite strict: true
	// volt: invalid cookie
}
