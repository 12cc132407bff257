package compose

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// named gives a built-in format the configuration name it was enabled under, so that jws in
// its three persistence modes can be told apart in client metadata.
type named struct {
	tokenformat.Format
	name string
}

func (n named) Name() string { return n.name }

// Recognize is the built-in format's own recognition (every built-in format has one): the
// adapter dispatches a presented token to the format that recognises it, so jws in its
// three modes, told apart by their header marker, can all be enabled at once.
func (n named) Recognize(token string) bool {
	return n.Format.(tokenformat.Recognizer).Recognize(token)
}

// formats builds the enabled formats, the default first, then those Formats names, then the
// custom formats no one named, by name.
func formats(c Config, keys tokenformat.KeySource) ([]tokenformat.Format, error) {
	custom, err := customFormats(c, keys)
	if err != nil {
		return nil, err
	}
	names := append([]string{c.DefaultFormat}, c.Formats...)
	var out []tokenformat.Format
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if f, ok := custom[name]; ok {
			out = append(out, f)
			continue
		}
		f, err := builtin(c, keys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	for _, name := range slices.Sorted(maps.Keys(custom)) {
		if !seen[name] {
			out = append(out, custom[name])
		}
	}
	return out, nil
}

// customFormats builds Config.CustomFormats with the server's keys, issuer, audience, clock
// and logger (withDefaults has checked the names and that no constructor is nil).
func customFormats(c Config, keys tokenformat.KeySource) (map[string]tokenformat.Format, error) {
	out := make(map[string]tokenformat.Format, len(c.CustomFormats))
	for name, build := range c.CustomFormats {
		f, err := build(tokenformat.Env{
			Keys:            keys,
			Issuer:          c.Issuer,
			DefaultAudience: slices.Clone(c.DefaultAudience),
			Now:             c.Now,
			Logger:          c.Logger,
		})
		switch {
		case err != nil:
			return nil, fmt.Errorf("compose: custom format %s: %w", name, err)
		case f == nil:
			return nil, configErr("CustomFormats", "the constructor of %q returned no format", name)
		case f.Name() != name:
			return nil, configErr("CustomFormats", "the constructor of %q built a format named %q", name, f.Name())
		}
		out[name] = f
	}
	return out, nil
}

func builtin(c Config, keys tokenformat.KeySource, name string) (tokenformat.Format, error) {
	wrap := func(f tokenformat.Format, err error) (tokenformat.Format, error) {
		if err != nil {
			return nil, fmt.Errorf("compose: format %s: %w", name, err)
		}
		return named{f, name}, nil
	}
	jwsWith := func(p tokenformat.Persistence) (*jws.Format, error) {
		return jws.New(c.Issuer, keys, jws.Options{Persistence: p, DefaultAudience: c.DefaultAudience, Now: c.Now})
	}
	switch name {
	case FormatOpaque:
		return wrap(opaque.New(keys, opaque.Options{}))
	case FormatEncrypted:
		return wrap(encrypted.New(keys, encrypted.Options{Now: c.Now}))
	case FormatJWS:
		return wrap(jwsWith(tokenformat.StoreRecord))
	case FormatJWSStateless:
		return wrap(jwsWith(tokenformat.StoreNothing))
	case FormatJWTOnly:
		return wrap(jwsWith(tokenformat.StoreTokenOnly))
	case FormatJWE:
		inner, err := jwsWith(tokenformat.StoreRecord)
		if err != nil {
			return wrap(nil, err)
		}
		// The default recipient is the server's own encryption key: the server can then
		// introspect its JWE tokens, and a resource server holding the same key set can
		// decrypt them. Give each resource server its own key through a custom format
		// when they must not share.
		return wrap(jwe.New(inner, jwe.Options{
			Recipient: func(ctx context.Context, _ *provider.Record) (*jose.JSONWebKey, error) {
				k, err := keys.Active(ctx, keyset.UseEnc, keyset.ECDHESA256KW)
				if err != nil {
					return nil, err
				}
				pub := k.Public()
				return &pub, nil
			},
			Decryption: keys,
		}))
	}
	return nil, configErr("DefaultFormat", "unknown format %q", name)
}
