{#- Money is carried as integer cents end to end so sums are exact; these two
    macros are the only places that cross between cents and decimal amounts. -#}

{% macro to_cents(amount_expr) -%}
    round(({{ amount_expr }})::numeric * 100)::bigint
{%- endmacro %}

{% macro from_cents(cents_expr, scale=2) -%}
    round(({{ cents_expr }})::numeric / 100, {{ scale }})
{%- endmacro %}
