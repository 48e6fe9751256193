{#- Postgres versions of the cross-database helpers (package dbt_postgres).
    adapter.dispatch picks these before the default__ ones. -#}

{#- Postgres has no any_value aggregate; min() also yields one of the
    group's values. -#}
{% macro postgres__any_value(expression) -%}
    min({{ expression }})
{%- endmacro %}

{% macro postgres__current_timestamp() -%}
    now()
{%- endmacro %}

{% macro postgres__current_timestamp_backcompat() %}
    current_timestamp::{{ type_timestamp() }}
{% endmacro %}

{% macro postgres__current_timestamp_in_utc_backcompat() %}
    (current_timestamp at time zone 'utc')::{{ type_timestamp() }}
{% endmacro %}

{% macro postgres__snapshot_get_time() -%}
    {{ current_timestamp() }}::timestamp without time zone
{%- endmacro %}

{% macro postgres__snapshot_string_as_time(timestamp) -%}
    {{ return("'" ~ timestamp ~ "'::timestamp without time zone") }}
{%- endmacro %}

{#- An interval of one datepart, multiplied: works for dates and
    timestamps alike and for any integer expression. -#}
{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) %}

    {{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }}))

{% endmacro %}

{#- datediff counts datepart boundaries crossed between the two values, as
    dbt does on Postgres. Coarse parts compare calendar fields; finer parts
    build on the next coarser difference: months on years, hours on days,
    seconds and below on minutes. -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
    {%- set stacked = {
        'quarter': ['year', 4, 'date', false],
        'month': ['year', 12, 'date', false],
        'hour': ['day', 24, 'timestamp', false],
        'minute': ['hour', 60, 'timestamp', false],
        'second': ['minute', 60, 'timestamp', true],
        'millisecond': ['minute', 60000, 'timestamp', true],
        'microsecond': ['minute', 60000000, 'timestamp', true],
    } -%}
    {%- if datepart == 'year' -%}
        {%- set sql = "(date_part('year', (" ~ second_date ~ ")::date) - date_part('year', (" ~ first_date ~ ")::date))" -%}
    {%- elif datepart == 'day' -%}
        {%- set sql = "((" ~ second_date ~ ")::date - (" ~ first_date ~ ")::date)" -%}
    {%- elif datepart == 'week' -%}
        {%- set sql -%}
({{ datediff(first_date, second_date, 'day') }} / 7 + case
            when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp) then
                case when {{ first_date }} <= {{ second_date }} then 0 else -1 end
            else
                case when {{ first_date }} <= {{ second_date }} then 1 else 0 end
        end)
        {%- endset -%}
    {%- elif datepart in stacked -%}
        {%- set base, factor, as_type, whole = stacked[datepart] -%}
        {%- set fields = [] -%}
        {%- for value in [second_date, first_date] -%}
            {%- set field = "date_part('" ~ datepart ~ "', (" ~ value ~ ")::" ~ as_type ~ ")" -%}
            {%- do fields.append("floor(" ~ field ~ ")" if whole else field) -%}
        {%- endfor -%}
        {%- set sql = "(" ~ datediff(first_date, second_date, base) ~ " * " ~ factor ~ " + " ~ fields[0] ~ " - " ~ fields[1] ~ ")" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("Unsupported datepart for macro datediff in postgres: {!r}".format(datepart)) }}
    {%- endif %}
        {{ sql }}
    {% endmacro %}

{% macro postgres__equals(expr1, expr2) -%}
    {%- if _truthy_nulls_equals() %}
    ({{ expr1 }} IS NOT DISTINCT FROM {{ expr2 }})
    {%- else -%}
    ({{ expr1 }} = {{ expr2 }})
    {%- endif -%}
{%- endmacro %}

{#- Postgres intervals have no quarter, so a quarter's end is three months
    after its start, less a day. -#}
{% macro postgres__last_day(date, datepart) -%}
    {%- if datepart == 'quarter' -%}
    -- postgres dateadd does not support quarter interval.
    cast(
        {{ dbt.dateadd('day', '-1', dbt.dateadd('month', '3', dbt.date_trunc(datepart, date))) }}
        as date)
    {%- else -%}
    {{ dbt.default_last_day(date, datepart) }}
    {%- endif -%}
{%- endmacro %}

{#- string_agg, or with a limit the first elements of array_agg. -#}
{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set ordering = order_by_clause if order_by_clause else '' -%}
    {%- if limit_num -%}
    array_to_string(
        (array_agg(
            {{ measure }}
            {{ ordering }}
        ))[1:{{ limit_num }}],
        {{ delimiter_text }}
        )
    {%- else %}
    string_agg(
        {{ measure }},
        {{ delimiter_text }}
        {{ ordering }}
        )
    {%- endif -%}
{%- endmacro %}

{#- Postgres's split_part counts from the end only since version 14, so
    negative positions go through dbt._split_part_negative. -#}
{% macro postgres__split_part(string_text, delimiter_text, part_number) %}
{%- set impl = default__split_part if part_number >= 0 else _split_part_negative %}

  {{ '' }}
    {{ impl(string_text, delimiter_text, part_number) }}
  {{ '' }}

{% endmacro %}
