// Package bytesconv holds the byte/string conversions and the small
// number and case helpers shared by volt's packages.
//
// B2S and S2B avoid copying through unsafe; build with -tags purego to get
// copying versions (CI runs the tests once that way).
package bytesconv
