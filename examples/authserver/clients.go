package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/provider"
)

// demoClient is the client the usage text shows; secret is set only when it was generated
// just now.
type demoClient struct{ id, secret string }

// registerClients registers or updates each ID:SECRET client. With none given and no client
// registered yet, it registers "demo" with a generated secret.
func registerClients(ctx context.Context, store provider.ClientManager, specs []string, redirectURI string) (*demoClient, error) {
	if len(specs) == 0 {
		existing, err := store.ListClients(ctx, "", 1)
		if err != nil {
			return nil, err
		}
		if len(existing) > 0 {
			return &demoClient{id: existing[0].ID}, nil
		}
		secret, err := clientsecret.Generate()
		if err != nil {
			return nil, err
		}
		if err := upsertClient(ctx, store, "demo", secret, redirectURI); err != nil {
			return nil, err
		}
		return &demoClient{id: "demo", secret: secret}, nil
	}
	var first *demoClient
	for _, spec := range specs {
		id, secret, _ := strings.Cut(spec, ":")
		if err := upsertClient(ctx, store, id, secret, redirectURI); err != nil {
			return nil, err
		}
		if first == nil {
			first = &demoClient{id: id}
		}
	}
	return first, nil
}

func upsertClient(ctx context.Context, store provider.ClientManager, id, secret, redirectURI string) error {
	hash, err := clientsecret.Hasher{}.Hash(ctx, []byte(secret))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	c := &provider.Client{
		ID:                      id,
		SecretHash:              string(hash),
		Name:                    id,
		RedirectURIs:            []string{redirectURI},
		GrantTypes:              []string{"client_credentials", "authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		Scopes:                  []string{"read", "write"},
		Audience:                []string{"api"},
		TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		CreatedAt:               now,
		UpdatedAt:               now,
	}
	old, err := store.Client(ctx, id)
	switch {
	case errors.Is(err, provider.ErrNotFound):
		return store.CreateClient(ctx, c)
	case err != nil:
		return err
	}
	c.CreatedAt = old.CreatedAt
	return store.UpdateClient(ctx, c)
}
