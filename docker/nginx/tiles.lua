-- Serve a warm tile from the geo-ioc tile cache in Redis, or hand the request to the server.
-- The key and value layout are the server's (tiles/stores.py, tiles/cache.py): the key names the
-- layer list, the field variant ("public" is what anyone may see) and z/x/y; the value is the
-- 32-character digest of the plain tile followed by the gzipped tile (empty: no features).
local var = ngx.var

local function to_server()
  return ngx.exec("@server")
end

-- Only anonymous requests share the public variant; only gzip is stored.
if var.http_authorization or (var.http_cookie and var.http_cookie:find("sessionid=", 1, true)) then
  return to_server()
end
local accept = var.http_accept_encoding or ""
if not accept:find("gzip", 1, true) or ngx.req.get_method() ~= "GET" then
  return to_server()
end

-- Debian's lua-nginx-redis installs lua-resty-redis as `nginx.redis`.
local found, redis = pcall(require, "nginx.redis")
if not found then
  found, redis = pcall(require, "resty.redis")
end
if not found then
  return to_server()
end
local red = redis:new()
red:set_timeout(50)  -- ms: a slow cache must not slow the map down; the server answers instead
if not red:connect(var.redis_host, tonumber(var.redis_port)) then
  return to_server()
end
local key = "geoioc:tiles:t:" .. var.tile_layers .. "|public:" .. var.tile_z .. "/"
  .. var.tile_x .. "/" .. var.tile_y
local value = red:get(key)
red:set_keepalive(60000, 128)
if not value or value == ngx.null or #value < 32 then
  return to_server()
end

local digest, body = value:sub(1, 32), value:sub(33)
-- Live layers change by the second; the rest may stay a while in browsers and proxies.
local live = var.tile_layers:find("incidents", 1, true) or var.tile_layers:find("alerts", 1, true)
  or var.tile_layers:find("env_stations", 1, true) or var.tile_layers:find("cameras", 1, true)
ngx.header["Cache-Control"] = live and "public, max-age=5" or "public, max-age=3600"
ngx.header["Vary"] = "Accept-Encoding, Authorization, Cookie"
ngx.header["X-Tile-Cache"] = "nginx"
if body == "" then
  return ngx.exit(204)
end
local etag = '"' .. digest .. '-gzip"'
-- The digest's last character is how many steps of the size budget the tile took (bodies.py).
local squeeze = tonumber(digest:sub(32, 32)) or 0
if squeeze > 0 then
  ngx.header["X-Tile-Budget"] = "squeezed=" .. squeeze .. "; max-bytes="
    .. (os.getenv("GEO_IOC_TILE_MAX_BYTES") or "512000")
end
ngx.header["ETag"] = etag
local inm = var.http_if_none_match
if inm and (inm == "*" or inm:find(etag, 1, true)) then
  return ngx.exit(304)
end
ngx.header["Content-Type"] = "application/vnd.mapbox-vector-tile"
ngx.header["Content-Encoding"] = "gzip"
ngx.header["Content-Length"] = #body
ngx.print(body)
