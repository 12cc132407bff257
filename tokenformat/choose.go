package tokenformat

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/oauthkit/oauthkit/provider"
)

// Chooser picks the format of a client's access tokens: the one the client names in
// provider.Client.AccessTokenFormat, or the server-wide Default. It lets a server move from
// one format to another client by client. The zero Chooser is not usable: Default is
// required. A Chooser must not be changed once in use; it is then safe for concurrent use.
type Chooser struct {
	// Default is the format of clients that name none. Required.
	Default Format
	// ByName holds the formats clients may name, keyed by Format.Name. Default need not be
	// listed.
	ByName map[string]Format
}

// For returns the format for client's access tokens, or an error if client names a format
// the Chooser does not hold.
func (c *Chooser) For(client *provider.Client) (Format, error) {
	if c.Default == nil {
		return nil, errors.New("tokenformat: chooser has no Default format")
	}
	if client == nil || client.AccessTokenFormat == "" {
		return c.Default, nil
	}
	if f, ok := c.ByName[client.AccessTokenFormat]; ok {
		return f, nil
	}
	if c.Default.Name() == client.AccessTokenFormat {
		return c.Default, nil
	}
	return nil, fmt.Errorf("tokenformat: client %q names the unknown access-token format %q", client.ID, client.AccessTokenFormat)
}

// Formats returns every format the Chooser holds: Default first, then the others by name.
func (c *Chooser) Formats() []Format {
	var out []Format
	if c.Default != nil {
		out = append(out, c.Default)
	}
	names := make([]string, 0, len(c.ByName))
	for n := range c.ByName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if f := c.ByName[n]; f != nil && f != c.Default {
			out = append(out, f)
		}
	}
	return out
}

// Recognizer is an optional capability of a Format: a cheap test of whether a token has the
// format's shape (a prefix, a number of segments), so that Chooser.Parse skips formats that
// cannot own it. It must not reject a token that Parse would accept.
type Recognizer interface {
	Recognize(token string) bool
}

// Parse reads a token of any format the Chooser holds: formats are tried in the order of
// Formats, skipping those whose Recognize says no, and the first that accepts the token
// wins. If none accepts it, Parse returns ErrExpired if some format recognised the token as
// authentic but expired, and otherwise an error matching ErrInvalidToken. An error other than
// those two (a key store that cannot be reached) is returned at once.
func (c *Chooser) Parse(ctx context.Context, token string) (Format, Token, error) {
	var expired error
	for _, f := range c.Formats() {
		if r, ok := f.(Recognizer); ok && !r.Recognize(token) {
			continue
		}
		tok, err := f.Parse(ctx, token)
		switch {
		case err == nil:
			return f, tok, nil
		case errors.Is(err, ErrExpired):
			if expired == nil {
				expired = err
			}
		case !errors.Is(err, ErrInvalidToken):
			return nil, Token{}, err
		}
	}
	if expired != nil {
		return nil, Token{}, expired
	}
	return nil, Token{}, fmt.Errorf("%w: no format accepts the token", ErrInvalidToken)
}
