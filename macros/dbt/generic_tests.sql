{#- The four generic tests every dbt project has. Each dispatches, so a
    project or package can replace the SQL for its adapter. The compiled
    SQL is byte-for-byte what dbt produces, whitespace included. -#}
{% test unique(model, column_name) %}
    {% set impl = adapter.dispatch('test_unique', 'dbt') %}
    {{ impl(model, column_name) }}
{% endtest %}

{% test not_null(model, column_name) %}
    {% set impl = adapter.dispatch('test_not_null', 'dbt') %}
    {{ impl(model, column_name) }}
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
    {% set impl = adapter.dispatch('test_accepted_values', 'dbt') %}
    {{ impl(model, column_name, values, quote) }}
{% endtest %}

{% test relationships(model, column_name, to, field) %}
    {% set impl = adapter.dispatch('test_relationships', 'dbt') %}
    {{ impl(model, column_name, to, field) }}
{% endtest %}

{% macro default__test_unique(model, column_name) %}

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1

{% endmacro %}

{% macro default__test_not_null(model, column_name) %}

{% set selected = '*' if should_store_failures() else column_name %}

select {{ selected }}
from {{ model }}
where {{ column_name }} is null

{% endmacro %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in (
    {% for v in values -%}
        {% if quote -%}
        '{{ v }}'
        {%- else -%}
        {{ v }}
        {%- endif -%}
        {%- if not loop.last -%},{%- endif %}
    {%- endfor %}
)

{% endmacro %}

{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}
