"""Two endpoints, the network and the applications: scenarios, configurations, the environment and the properties checked of them."""
