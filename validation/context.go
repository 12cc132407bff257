package validation

import "context"

type ctxKey struct{}

type ctxValue struct {
	claims *Claims
	realm  string
}

func newContext(ctx context.Context, claims *Claims, realm string) context.Context {
	return context.WithValue(ctx, ctxKey{}, ctxValue{claims: claims, realm: realm})
}

// FromContext returns the validated claims Middleware put in ctx, and whether there were any.
func FromContext(ctx context.Context) (*Claims, bool) {
	v, ok := ctx.Value(ctxKey{}).(ctxValue)
	if !ok || v.claims == nil {
		return nil, false
	}
	return v.claims, true
}

func realmFrom(ctx context.Context) string {
	v, _ := ctx.Value(ctxKey{}).(ctxValue)
	return v.realm
}
