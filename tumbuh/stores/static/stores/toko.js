// Storefront: keep the last visited store pages readable offline (the pages work without it).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/toko/sw.js", { scope: "/toko/" }).catch(() => {});
}
