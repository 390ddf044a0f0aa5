"""The demo's indicator registry and 36 months of synthetic values on today's communes.

Values are generated in one SQL statement (`sql/demo_values.sql`) from a hash of indicator,
unit and month, so a load is reproducible and fast; every value and indicator is marked
synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection, transaction

from geo_ioc.socioeconomic.periods import add_months
from geo_ioc.socioeconomic.models import Agency, Indicator, Submission, Target, Value
from geo_ioc.socioeconomic.units import sql_text

AGENCIES = {
    "STC": ("Sở Tài chính", "Department of Finance"),
    "SCT": ("Sở Công Thương", "Department of Industry and Trade"),
    "SVHTTDL": ("Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    "SNNMT": ("Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    "SYT": ("Sở Y tế", "Department of Health"),
    "SGDDT": ("Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    "SNV": ("Sở Nội vụ", "Department of Home Affairs"),
    "TKT": ("Thống kê tỉnh", "Provincial Statistics Office"),
    "CAT": ("Công an tỉnh", "Provincial Police"),
    "TTHCC": ("Trung tâm Phục vụ hành chính công", "Public Administration Service Centre"),
}

# code, vi, en, unit vi, unit en, group, periodicity, aggregation (sum | wm:<weight> |
# ratio:<num>/<den>*factor), higher is better, stock, agency, base value per commune-month,
# trend per year, seasonal amplitude.
_S = "sum"
SPECS: list[tuple[Any, ...]] = [
    ("population", "Dân số trung bình", "Average population", "người", "persons", "labour", "month", _S, True, True, "TKT", 9000, 0.01, 0),
    ("households", "Số hộ dân cư", "Households", "hộ", "households", "labour", "month", _S, True, True, "TKT", 2300, 0.012, 0),
    ("labour_force", "Lực lượng lao động", "Labour force", "người", "persons", "labour", "month", _S, True, True, "SNV", 5200, 0.01, 0.01),
    ("jobs_created", "Lao động được tạo việc làm", "Jobs created", "người", "persons", "labour", "month", _S, True, False, "SNV", 45, 0.05, 0.2),
    ("unemployment_rate", "Tỷ lệ thất nghiệp", "Unemployment rate", "%", "%", "labour", "month", "wm:labour_force", False, False, "SNV", 2.4, -0.03, 0.1),
    ("grdp", "Tổng sản phẩm trên địa bàn (GRDP)", "Gross regional domestic product (GRDP)", "tỷ đồng", "billion VND", "economy", "quarter", _S, True, False, "TKT", 160, 0.07, 0.08),
    ("grdp_growth", "Tốc độ tăng trưởng GRDP", "GRDP growth", "%", "%", "economy", "quarter", "wm:grdp", True, False, "TKT", 6.8, 0.02, 0.1),
    ("budget_revenue", "Thu ngân sách nhà nước", "State budget revenue", "tỷ đồng", "billion VND", "budget", "month", _S, True, False, "STC", 18, 0.06, 0.25),
    ("tax_revenue", "Thu nội địa từ thuế, phí", "Domestic tax and fee revenue", "tỷ đồng", "billion VND", "budget", "month", _S, True, False, "STC", 12, 0.06, 0.2),
    ("budget_spending", "Chi ngân sách địa phương", "Local budget spending", "tỷ đồng", "billion VND", "budget", "month", _S, True, False, "STC", 15, 0.05, 0.3),
    ("public_invest_plan", "Kế hoạch vốn đầu tư công giao", "Public investment allocated", "tỷ đồng", "billion VND", "investment", "month", _S, True, False, "STC", 9, 0.04, 0),
    ("public_invest_disbursed", "Giải ngân vốn đầu tư công", "Public investment disbursed", "tỷ đồng", "billion VND", "investment", "month", _S, True, False, "STC", 6, 0.05, 0.4),
    ("public_invest_rate", "Tỷ lệ giải ngân vốn đầu tư công", "Public investment disbursement rate", "%", "%", "investment", "month", "ratio:public_invest_disbursed/public_invest_plan*100", True, False, "STC", 0, 0, 0),
    ("fdi_registered", "Vốn FDI đăng ký", "FDI registered", "triệu USD", "million USD", "investment", "month", _S, True, False, "STC", 1.2, 0.1, 0.5),
    ("domestic_invest_registered", "Vốn đầu tư trong nước đăng ký", "Domestic investment registered", "tỷ đồng", "billion VND", "investment", "month", _S, True, False, "STC", 40, 0.08, 0.4),
    ("new_enterprises", "Doanh nghiệp thành lập mới", "New enterprises", "doanh nghiệp", "enterprises", "investment", "month", _S, True, False, "STC", 6, 0.05, 0.3),
    ("enterprises_closed", "Doanh nghiệp giải thể", "Enterprises dissolved", "doanh nghiệp", "enterprises", "investment", "month", _S, False, False, "STC", 2, 0.0, 0.2),
    ("industrial_output", "Giá trị sản xuất công nghiệp", "Industrial output", "tỷ đồng", "billion VND", "industry", "month", _S, True, False, "SCT", 55, 0.07, 0.1),
    ("iip", "Chỉ số sản xuất công nghiệp (IIP)", "Index of industrial production", "%", "%", "industry", "month", "wm:industrial_output", True, False, "SCT", 107, 0.0, 0.03),
    ("electricity_sold", "Điện thương phẩm", "Electricity sold", "triệu kWh", "million kWh", "industry", "month", _S, True, False, "SCT", 3.5, 0.06, 0.1),
    ("retail_sales", "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng", "Retail sales of goods and services", "tỷ đồng", "billion VND", "trade_tourism", "month", _S, True, False, "SCT", 95, 0.09, 0.15),
    ("exports", "Kim ngạch xuất khẩu", "Exports", "triệu USD", "million USD", "trade_tourism", "month", _S, True, False, "SCT", 2.8, 0.08, 0.2),
    ("imports", "Kim ngạch nhập khẩu", "Imports", "triệu USD", "million USD", "trade_tourism", "month", _S, True, False, "SCT", 1.1, 0.05, 0.2),
    ("tourist_arrivals", "Lượt khách du lịch", "Tourist arrivals", "lượt", "visits", "trade_tourism", "month", _S, True, False, "SVHTTDL", 21000, 0.08, 0.35),
    ("tourism_revenue", "Doanh thu du lịch", "Tourism revenue", "tỷ đồng", "billion VND", "trade_tourism", "month", _S, True, False, "SVHTTDL", 48, 0.1, 0.35),
    ("hotel_rooms", "Số phòng lưu trú", "Accommodation rooms", "phòng", "rooms", "trade_tourism", "month", _S, True, True, "SVHTTDL", 420, 0.04, 0),
    ("room_occupancy", "Công suất sử dụng phòng", "Room occupancy", "%", "%", "trade_tourism", "month", "wm:hotel_rooms", True, False, "SVHTTDL", 58, 0.02, 0.25),
    ("vegetable_output", "Sản lượng rau", "Vegetable output", "tấn", "tonnes", "agriculture", "month", _S, True, False, "SNNMT", 2600, 0.03, 0.2),
    ("coffee_output", "Sản lượng cà phê nhân", "Green coffee output", "tấn", "tonnes", "agriculture", "month", _S, True, False, "SNNMT", 900, 0.02, 0.8),
    ("flowers_output", "Sản lượng hoa", "Cut flowers", "triệu cành", "million stems", "agriculture", "month", _S, True, False, "SNNMT", 1.9, 0.05, 0.4),
    ("forest_cover", "Tỷ lệ che phủ rừng", "Forest cover", "%", "%", "environment", "month", "wm:households", True, False, "SNNMT", 52, 0.005, 0),
    ("waste_collected", "Chất thải rắn sinh hoạt được thu gom", "Household waste collected", "tấn", "tonnes", "environment", "month", _S, True, False, "SNNMT", 310, 0.03, 0.05),
    ("poor_households", "Số hộ nghèo", "Poor households", "hộ", "households", "labour", "month", _S, False, True, "SNV", 70, -0.15, 0),
    ("poor_rate", "Tỷ lệ hộ nghèo", "Poor-household rate", "%", "%", "labour", "month", "ratio:poor_households/households*100", False, True, "SNV", 0, 0, 0),
    ("insured", "Số người tham gia bảo hiểm y tế", "Persons with health insurance", "người", "persons", "health", "month", _S, True, True, "SYT", 8100, 0.02, 0),
    ("health_insurance_coverage", "Tỷ lệ bao phủ bảo hiểm y tế", "Health insurance coverage", "%", "%", "health", "month", "ratio:insured/population*100", True, True, "SYT", 0, 0, 0),
    ("hospital_beds", "Số giường bệnh", "Hospital beds", "giường", "beds", "health", "month", _S, True, True, "SYT", 28, 0.03, 0),
    ("beds_per_10k", "Số giường bệnh trên 1 vạn dân", "Hospital beds per 10,000 people", "giường", "beds", "health", "month", "ratio:hospital_beds/population*10000", True, True, "SYT", 0, 0, 0),
    ("pupils_enrolled", "Học sinh phổ thông đến trường", "Pupils enrolled", "học sinh", "pupils", "education", "month", _S, True, True, "SGDDT", 1650, 0.01, 0),
    ("school_age", "Trẻ trong độ tuổi đi học", "Children of school age", "trẻ", "children", "education", "month", _S, True, True, "SGDDT", 1700, 0.01, 0),
    ("enrolment_rate", "Tỷ lệ đi học đúng độ tuổi", "School enrolment rate", "%", "%", "education", "month", "ratio:pupils_enrolled/school_age*100", True, True, "SGDDT", 0, 0, 0),
    ("dossiers_received", "Hồ sơ thủ tục hành chính tiếp nhận", "Administrative dossiers received", "hồ sơ", "dossiers", "public_services", "month", _S, True, False, "TTHCC", 640, 0.04, 0.1),
    ("dossiers_on_time", "Hồ sơ giải quyết đúng hạn", "Dossiers handled on time", "hồ sơ", "dossiers", "public_services", "month", _S, True, False, "TTHCC", 600, 0.05, 0.1),
    ("on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn", "Dossiers handled on time", "%", "%", "public_services", "month", "ratio:dossiers_on_time/dossiers_received*100", True, False, "TTHCC", 0, 0, 0),
    ("traffic_accidents", "Số vụ tai nạn giao thông", "Traffic accidents", "vụ", "accidents", "security", "month", _S, False, False, "CAT", 1.4, -0.05, 0.3),
    ("criminal_cases", "Số vụ phạm pháp hình sự", "Criminal offences", "vụ", "offences", "security", "month", _S, False, False, "CAT", 2.2, -0.04, 0.15),
]
# Disaggregations of a few indicators: dimension → members and their shares of the total.
DISAGGREGATIONS: dict[str, dict[str, dict[str, float]]] = {
    "jobs_created": {"sex": {"male": 0.53, "female": 0.47}},
    "tourist_arrivals": {"origin": {"domestic": 0.91, "international": 0.09}},
}
MONTHS = 36


def last_month(today: dt.date) -> dt.date:
    """First day of the last complete month before `today`."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _register() -> dict[str, Indicator]:
    agencies = {
        code: Agency.objects.update_or_create(code=code, defaults={"name_vi": vi, "name_en": en})[0]
        for code, (vi, en) in AGENCIES.items()
    }
    made: dict[str, Indicator] = {}
    for spec in SPECS:
        code, vi, en, uvi, uen, group, per, agg, better, stock, agency = spec[:11]
        kind, _, rule = agg.partition(":")
        ind, _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_vi": vi, "name_en": en, "unit_vi": uvi, "unit_en": uen, "group": group,
                "periodicity": per, "higher_is_better": better, "stock": stock,
                "agency": agencies[agency], "synthetic": True,
                "aggregation": {"": "sum", "sum": "sum", "wm": "weighted_mean", "ratio": "ratio"}[kind],
                "disaggregations": {d: list(m) for d, m in DISAGGREGATIONS.get(code, {}).items()},
            },
        )
        made[code] = ind
    for spec in SPECS:  # references, once every indicator exists
        code, agg = spec[0], spec[7]
        kind, _, rule = agg.partition(":")
        ind = made[code]
        if kind == "wm":
            ind.weight = made[rule]
        elif kind == "ratio":
            parts, _, factor = rule.partition("*")
            num, den = parts.split("/")
            ind.numerator, ind.denominator, ind.factor = made[num], made[den], float(factor)
        ind.save()
    return made


@transaction.atomic
def load(today: dt.date) -> dict[str, int]:
    """Registry, values, targets and report receipts of the demo (replaces earlier demo data)."""
    made = _register()
    Value.objects.filter(indicator__synthetic=True).delete()
    Target.objects.filter(indicator__synthetic=True).delete()
    Submission.objects.all().delete()
    specs = [
        {"id": made[s[0]].pk, "code": s[0], "base": s[11], "trend": s[12], "season": s[13],
         "quarterly": s[6] == "quarter", "better": s[8], "stock": s[9],
         "rate": s[7].startswith("wm")}
        for s in SPECS if not s[7].startswith("ratio")
    ]
    ratios = [
        {"id": i.pk, "num": i.numerator_id, "den": i.denominator_id, "factor": i.factor}
        for i in made.values() if i.aggregation == "ratio"
    ]
    dis = [
        {"id": made[code].pk, "key": f"{dim}:{member}", "share": share}
        for code, dims in DISAGGREGATIONS.items() for dim, members in dims.items()
        for member, share in members.items()
    ]
    end = last_month(today)
    start = add_months(end, -(MONTHS - 1))
    with connection.cursor() as cur:
        cur.execute(
            sql_text("demo_values.sql"),
            {"specs": json.dumps(specs), "ratios": json.dumps(ratios), "dis": json.dumps(dis),
             "start": start, "end": end},
        )
        cur.execute("SELECT count(*) FROM socioeconomic_value")
        values = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM socioeconomic_target")
        targets = int(cur.fetchone()[0])
    return {"indicators": len(made), "values": values, "targets": targets}
