{#- True when the status counts as recognised revenue (see var revenue_statuses). -#}
{% macro is_revenue_status(status_column) -%}
    {%- set statuses = var('revenue_statuses') -%}
    {{ status_column }} in ({% for s in statuses %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
