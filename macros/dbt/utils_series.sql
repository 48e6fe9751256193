{#- Number series without generate_series(): a cross join of n two-row
    tables gives the numbers 1..2^n, cut at the upper bound. -#}

{#- get_powers_of_two(bound): the smallest k >= 1 with 2^k >= bound. -#}
{% macro get_powers_of_two(upper_bound) -%}
    {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__get_powers_of_two(upper_bound) -%}
    {%- if upper_bound <= 0 -%}
        {{ exceptions.raise_compiler_error("upper bound must be positive") }}
    {%- endif -%}
    {%- for k in range(1, 100) if 2 ** k >= upper_bound -%}
        {%- if loop.first -%}{{ return(k) }}{%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- generate_series(bound): rows generated_number = 1..bound. Each power of
    two contributes one term and one joined table; the layout (blank
    lines, operators on lines of their own) is dbt's. -#}
{% macro generate_series(upper_bound) -%}
    {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__generate_series(upper_bound) %}
{%- set n = dbt.get_powers_of_two(upper_bound) -%}
{%- set terms = [] -%}
{%- set tables = [] -%}
{%- for i in range(n) -%}
    {%- set glue = '' if loop.last else ' + ' -%}
    {%- set join = '' if loop.last else ' cross join ' -%}
    {%- do terms.append('\n    p' ~ i ~ '.generated_number * power(2, ' ~ i ~ ')\n    ' ~ glue ~ '\n    ') -%}
    {%- do tables.append('\n    p as p' ~ i ~ '\n    ' ~ join ~ '\n    ') -%}
{%- endfor %}

    {{ '' }}

    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (

    select

    {{ terms | join('') }}
    + 1
    as generated_number

    from

    {{ tables | join('') }}

    )

    select *
    from unioned
    where generated_number <= {{ upper_bound }}
    order by generated_number

{% endmacro %}
