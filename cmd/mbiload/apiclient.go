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
