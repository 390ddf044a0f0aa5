"""Add the VN-2000 / TM-3 provincial zones that PostGIS's spatial_ref_sys lacks (EPSG:9205–9218).

PostGIS ships EPSG:4756, 3405, 3406 and 5896–5899 but not the later provincial zones. The rows
carry auth_name 'EPSG', so ST_Transform resolves them through PROJ's database like the others;
proj4text repeats the national 7 parameters (EPSG:6960) as the shipped VN-2000 rows do.
"""

from django.db import migrations

CODES = range(9205, 9219)
TOWGS84 = (
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,"
    "0.252906278"
)


def add_srids(apps, schema_editor):
    import warnings

    from pyproj import CRS

    with schema_editor.connection.cursor() as cur:
        for code in CODES:
            cur.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [code])
            if cur.fetchone():
                continue
            crs = CRS.from_epsg(code)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                proj4 = crs.to_proj4().replace(" +type=crs", "")
            proj4 = proj4.replace("+units=m", f"{TOWGS84} +units=m")
            cur.execute(
                "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)"
                " VALUES (%s, 'EPSG', %s, %s, %s) ON CONFLICT (srid) DO NOTHING",
                [code, code, crs.to_wkt("WKT1_GDAL"), proj4],
            )


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_exportjob")]

    operations = [migrations.RunPython(add_srids, migrations.RunPython.noop)]
