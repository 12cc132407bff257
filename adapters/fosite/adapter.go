package fositeadapter

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/handler/rfc7523"
	enigma "github.com/ory/fosite/token/hmac"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// adapterOptions configures an adapter. Formats is required; the zero value of every other field
// is a documented safe default.
type adapterOptions struct {
	// Formats are the access-token formats the server issues and accepts. The first is the
	// server-wide default; a client picks another by naming it in its AccessTokenFormat
	// metadata. Names must be unique. Required.
	Formats []tokenformat.Format
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives storage failures (never tokens or secrets); nil means slog.Default().
	Logger *slog.Logger
}

// adapter is oauthkit's store and formats as fosite's storage and token strategy. It
// implements fosite.ClientManager, oauth2.CoreStorage, oauth2.TokenRevocationStorage,
// pkce.PKCERequestStorage and rfc7523.RFC7523KeyStorage (the storage side), and
// oauth2.CoreStrategy (the strategy side). Pass it as both.
//
// An adapter is safe for concurrent use. NewHandler builds the one a Handler uses.
type adapter struct {
	store   provider.Store
	cfg     *fosite.Config
	hmac    *oauth2.HMACSHAStrategy
	formats []tokenformat.Format
	byName  map[string]int
	// recognizing are the formats that recognise their tokens, in order; unrecognizing the
	// others (custom formats without a Recognizer), tried only for tokens none recognised.
	recognizing   []recognizer
	unrecognizing []tokenformat.Format
	// stateless reports whether any format keeps nothing, so that revocation must go
	// through the deny-list.
	stateless bool
	now       func() time.Time
	log       *slog.Logger
}

var (
	_ fosite.ClientManager          = (*adapter)(nil)
	_ oauth2.CoreStorage            = (*adapter)(nil)
	_ oauth2.TokenRevocationStorage = (*adapter)(nil)
	_ pkce.PKCERequestStorage       = (*adapter)(nil)
	_ rfc7523.RFC7523KeyStorage     = (*adapter)(nil)
	_ oauth2.CoreStrategy           = (*adapter)(nil)
)

// newAdapter returns an adapter over store. cfg supplies the token lifetimes and the global secret
// (at least 32 bytes) that keys fosite's HMAC strategy for refresh tokens and authorization
// codes; the adapter only reads it, except that it sets cfg.JWKSFetcherStrategy when nil to
// a JWKSFetcher with jwksfetch's defaults, so that fosite's own fetcher never runs.
func newAdapter(store provider.Store, cfg *fosite.Config, opts adapterOptions) (*adapter, error) {
	switch {
	case store == nil:
		return nil, errors.New("fositeadapter: nil store")
	case cfg == nil:
		return nil, errors.New("fositeadapter: nil fosite config")
	case len(cfg.GlobalSecret) < 32:
		return nil, errors.New("fositeadapter: fosite config GlobalSecret shorter than 32 bytes")
	case len(opts.Formats) == 0:
		return nil, errors.New("fositeadapter: Options.Formats is empty")
	}
	a := &adapter{
		store:   store,
		cfg:     cfg,
		hmac:    oauth2.NewHMACSHAStrategy(&enigma.HMACStrategy{Config: cfg}, cfg),
		formats: opts.Formats,
		byName:  make(map[string]int, len(opts.Formats)),
		now:     opts.Now,
		log:     opts.Logger,
	}
	for i, f := range opts.Formats {
		if f == nil {
			return nil, fmt.Errorf("fositeadapter: Options.Formats[%d] is nil", i)
		}
		if _, dup := a.byName[f.Name()]; dup {
			return nil, fmt.Errorf("fositeadapter: Options.Formats: duplicate name %q", f.Name())
		}
		a.byName[f.Name()] = i
		if r, ok := f.(tokenformat.Recognizer); ok {
			a.recognizing = append(a.recognizing, recognizer{f, r})
		} else {
			a.unrecognizing = append(a.unrecognizing, f)
		}
		if f.Persistence() == tokenformat.StoreNothing {
			a.stateless = true
		}
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if cfg.JWKSFetcherStrategy == nil {
		f, err := jwksfetch.New(jwksfetch.Options{Logger: a.log})
		if err != nil {
			return nil, fmt.Errorf("fositeadapter: %w", err)
		}
		cfg.JWKSFetcherStrategy = NewJWKSFetcher(f)
	}
	return a, nil
}

// recognizer is a format with its Recognizer.
type recognizer struct {
	f tokenformat.Format
	r tokenformat.Recognizer
}

// Store returns the store the Adapter writes to.
func (a *adapter) Store() provider.Store { return a.store }

// Format returns the format with the given name, or nil.
func (a *adapter) Format(name string) tokenformat.Format {
	if i, ok := a.byName[name]; ok {
		return a.formats[i]
	}
	return nil
}

// FormatNames returns the names of the formats, the default first.
func (a *adapter) FormatNames() []string {
	names := make([]string, len(a.formats))
	for i, f := range a.formats {
		names[i] = f.Name()
	}
	return names
}

// formatIndex returns the index of the format the request's client uses.
func (a *adapter) formatIndex(r fosite.Requester) (int, error) {
	c, ok := r.GetClient().(*Client)
	if !ok || c.c.AccessTokenFormat == "" {
		return 0, nil
	}
	i, ok := a.byName[c.c.AccessTokenFormat]
	if !ok {
		return 0, fmt.Errorf("fositeadapter: client access token format %q is not configured", c.c.AccessTokenFormat)
	}
	return i, nil
}
