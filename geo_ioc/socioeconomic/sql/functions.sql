-- A reproducible pseudo-random number in [-1, 1) from a text key (synthetic demo data, bench).
CREATE OR REPLACE FUNCTION socioeconomic_hash(key text) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ('x' || substr(md5(key), 1, 8))::bit(32)::int::float8 / 2147483648.0 $$;
