"""Views of the stores app: storefront and seller pages (shop, seller), checkout and orders."""
