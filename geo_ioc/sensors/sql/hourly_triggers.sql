-- Keep sensors_hourlymean equal to the readings it sums, statement by statement.
CREATE OR REPLACE FUNCTION sensors_hourly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sensors_hourlymean (station_id, pollutant, hour, total, count)
  SELECT station_id, pollutant, date_trunc('hour', time, 'UTC'), sum(value), count(*)
  FROM new_rows GROUP BY 1, 2, 3
  -- A stable order, so concurrent statements lock the same rows in the same order.
  ORDER BY 1, 2, 3
  ON CONFLICT (station_id, pollutant, hour) DO UPDATE
    SET total = sensors_hourlymean.total + EXCLUDED.total,
        count = sensors_hourlymean.count + EXCLUDED.count;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION sensors_hourly_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sensors_hourlymean h SET total = h.total - d.total, count = h.count - d.count
  FROM (SELECT station_id, pollutant, date_trunc('hour', time, 'UTC') AS hour,
               sum(value) AS total, count(*) AS count
        FROM old_rows GROUP BY 1, 2, 3) d
  WHERE h.station_id = d.station_id AND h.pollutant = d.pollutant AND h.hour = d.hour;
  DELETE FROM sensors_hourlymean WHERE count <= 0;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sensors_reading_hourly_add ON sensors_reading;
CREATE TRIGGER sensors_reading_hourly_add AFTER INSERT ON sensors_reading
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sensors_hourly_add();
DROP TRIGGER IF EXISTS sensors_reading_hourly_remove ON sensors_reading;
CREATE TRIGGER sensors_reading_hourly_remove AFTER DELETE ON sensors_reading
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sensors_hourly_remove();

-- Readings that are already there.
INSERT INTO sensors_hourlymean (station_id, pollutant, hour, total, count)
SELECT station_id, pollutant, date_trunc('hour', time, 'UTC'), sum(value), count(*)
FROM sensors_reading GROUP BY 1, 2, 3
ON CONFLICT (station_id, pollutant, hour) DO NOTHING;
