"""The `rack design --json` contract of issue 3: the keys every design carries."""

DESIGN_KEYS = frozenset(
    {
        "name",
        "it_power_kw",
        "typical_power_kw",
        "weight_kg",
        "power_shelves",
        "psus",
        "busbar_current_a",
        "liquid_heat_kw",
        "coolant_flow_l_min",
        "air_heat_kw",
        "airflow_cfm",
        "ru_used",
        "cost_usd",
    }
)
