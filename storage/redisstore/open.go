package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/provider"
)

// Open connects to the Redis named by rawURL, checks within ctx that it answers and runs
// Redis 7.0 or later, and returns a Store that owns the client (Close closes it). The forms are:
//
//	redis://[user:password@]host[:port][/db]                      a single node
//	rediss://…                                                    the same over TLS
//	redis+cluster://[user:password@]host:port,host:port,…         a Cluster (seed nodes)
//	rediss+cluster://…                                            the same over TLS
//	redis+sentinel://[user:password@]host:port,…/master[/db]      a Sentinel-managed primary
//	rediss+sentinel://…                                           the same over TLS
//
// The port defaults to 6379 (26379 for Sentinel addresses). User and password authenticate
// to the data nodes; sentinel_username and sentinel_password (query) to the Sentinels. Other
// query parameters: dial_timeout, read_timeout, write_timeout (Go durations such as "2s"),
// pool_size, max_retries, client_name; any other is an error. Over TLS the server name checked
// is the first host's; for other TLS settings build the client yourself and use New. Every call is bounded by its
// context's deadline (ContextTimeoutEnabled). Errors never repeat the password.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	uo, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: open: %w: %w", provider.ErrInvalid, err)
	}
	client := redis.NewUniversalClient(uo)
	s, err := New(client, opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.owns = true
	if err := s.Ping(ctx); err != nil {
		client.Close()
		return nil, fmt.Errorf("redisstore: open: %w", err)
	}
	if err := s.checkVersion(ctx); err != nil {
		client.Close()
		return nil, fmt.Errorf("redisstore: open: %w", err)
	}
	return s, nil
}

// checkVersion refuses a server older than Redis 7.0, whose scripts would fail on PEXPIRETIME
// at the first write. A server whose INFO does not say is given the benefit of the doubt.
func (s *Store) checkVersion(ctx context.Context) error {
	info, err := s.rdb.Info(ctx, "server").Result()
	if err != nil {
		return s.wrap("server version", err)
	}
	for _, line := range strings.Split(info, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err == nil && n < 7 {
			return fmt.Errorf("the server runs Redis %s; redisstore needs 7.0 or later", v)
		}
	}
	return nil
}

// parseURL turns one of Open's URL forms into UniversalOptions. It does not use net/url for
// the authority, which cannot hold a comma-separated list of hosts.
func parseURL(raw string) (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, errors.New("URL has no scheme")
	}
	var cluster, sentinel, useTLS bool
	switch scheme {
	case "redis":
	case "rediss":
		useTLS = true
	case "redis+cluster":
		cluster = true
	case "rediss+cluster":
		cluster, useTLS = true, true
	case "redis+sentinel":
		sentinel = true
	case "rediss+sentinel":
		sentinel, useTLS = true, true
	default:
		return nil, fmt.Errorf("unknown URL scheme %q", scheme)
	}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")

	o := &redis.UniversalOptions{ContextTimeoutEnabled: true, IsClusterMode: cluster}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		user, pass, hasPass := strings.Cut(authority[:at], ":")
		var err error
		if o.Username, err = url.PathUnescape(user); err != nil {
			return nil, errors.New("URL has a badly escaped user name")
		}
		if hasPass {
			if o.Password, err = url.PathUnescape(pass); err != nil {
				return nil, errors.New("URL has a badly escaped password")
			}
		}
		authority = authority[at+1:]
	}
	defPort := "6379"
	if sentinel {
		defPort = "26379"
	}
	for _, h := range strings.Split(authority, ",") {
		if h == "" {
			return nil, errors.New("URL has an empty host")
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			host, port = strings.Trim(h, "[]"), defPort
		}
		if host == "" {
			return nil, errors.New("URL has an empty host")
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return nil, fmt.Errorf("URL has a bad port %q", port)
		}
		o.Addrs = append(o.Addrs, net.JoinHostPort(host, port))
	}
	if len(o.Addrs) > 1 && !cluster && !sentinel {
		return nil, errors.New("several hosts need redis+cluster:// or redis+sentinel://")
	}

	segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if sentinel {
		if len(segs) == 0 {
			return nil, errors.New("redis+sentinel URL names no master (…/master[/db])")
		}
		o.MasterName, segs = segs[0], segs[1:]
	}
	switch {
	case len(segs) == 0:
	case len(segs) == 1 && !cluster:
		db, err := strconv.Atoi(segs[0])
		if err != nil || db < 0 {
			return nil, fmt.Errorf("URL has a bad database number %q", segs[0])
		}
		o.DB = db
	default:
		return nil, errors.New("URL has an unexpected path (a Cluster has only database 0)")
	}
	if useTLS {
		host, _, _ := net.SplitHostPort(o.Addrs[0])
		o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}

	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errors.New("URL has a bad query")
	}
	for name, vals := range q {
		v := vals[len(vals)-1]
		var err error
		switch name {
		case "dial_timeout":
			o.DialTimeout, err = time.ParseDuration(v)
		case "read_timeout":
			o.ReadTimeout, err = time.ParseDuration(v)
		case "write_timeout":
			o.WriteTimeout, err = time.ParseDuration(v)
		case "pool_size":
			o.PoolSize, err = strconv.Atoi(v)
		case "max_retries":
			o.MaxRetries, err = strconv.Atoi(v)
		case "client_name":
			o.ClientName = v
		case "sentinel_username":
			o.SentinelUsername = v
		case "sentinel_password":
			o.SentinelPassword = v
		default:
			return nil, fmt.Errorf("URL has an unknown parameter %q", name)
		}
		if err != nil {
			return nil, fmt.Errorf("URL parameter %q has a bad value", name)
		}
	}
	return o, nil
}
