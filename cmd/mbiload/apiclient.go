package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/urfave/cli/v2"
)

// apiKey returns the API key from --api-key or --api-key-file.
func apiKey(c *cli.Context) (string, error) {
	key := c.String("api-key")
	if file := c.String("api-key-file"); file != "" {
		if key != "" {
			return "", usagef("give the API key with --api-key or --api-key-file, not both")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read --api-key-file: %w", err)
		}
		key = strings.TrimSpace(string(data))
	}
	if key == "" {
		return "", usagef("no API key: set MBILOAD_API_KEY or --api-key-file (generate one in Magento BI under Export Data -> Export API)")
	}
	return key, nil
}

// newClient builds the Export API client from the global flags.
func newClient(c *cli.Context, env *appEnv) (*extract.Client, error) {
	key, err := apiKey(c)
	if err != nil {
		return nil, err
	}
	client, err := extract.New(extract.Config{
		BaseURL:      c.String("api-url"),
		APIKey:       key,
		ClientID:     c.String("client-id"),
		InsecureHTTP: c.Bool("insecure-http"),
		Logger:       env.log,
		UserAgent:    "mbiload/" + version,
		Poll: extract.PollPolicy{
			Initial: c.Duration("poll-interval"),
			Max:     c.Duration("poll-max"),
			Timeout: c.Duration("export-timeout"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("configure the API client: %w", err)
	}
	return client, nil
}

// apiAction is a command's action that talks to the API: it builds the
// client from the global flags, then runs fn with it.
func apiAction(env *appEnv, fn func(c *cli.Context, client *extract.Client) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		client, err := newClient(c, env)
		if err != nil {
			return err
		}
		return fn(c, client)
	}
}

// apiActionArg is [apiAction] for a command that takes exactly one
// argument (what names it in the usage error), checked before the client
// is built.
func apiActionArg(env *appEnv, what string, fn func(c *cli.Context, client *extract.Client, arg string) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		arg, err := oneArg(c, what)
		if err != nil {
			return err
		}
		return apiAction(env, func(c *cli.Context, client *extract.Client) error {
			return fn(c, client, arg)
		})(c)
	}
}
