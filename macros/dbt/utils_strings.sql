{#- String, aggregate and set-operation helpers. The default__ bodies
    produce, to the byte, the SQL dbt's versions produce on Postgres: the
    compiled SQL of a model that calls them is compared with dbt's. -#}

{% macro concat(fields) -%}
    {{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
{%- endmacro %}
{% macro default__concat(fields) -%}
    {{ fields | join(' || ') }}
{%- endmacro %}

{#- md5 of the text form of a value. -#}
{% macro hash(field) -%}
    {{ return(adapter.dispatch('hash', 'dbt')(field)) }}
{%- endmacro %}
{% macro default__hash(field) -%}
    md5(cast({{ field }} as TEXT))
{%- endmacro %}

{% macro length(expression) -%}
    {{ return(adapter.dispatch('length', 'dbt')(expression)) }}
{%- endmacro %}
{% macro default__length(expression) %}

    length(
        {{ expression }}
    )
{%- endmacro %}

{#- position(needle, haystack): 1-based index, 0 when absent. -#}
{% macro position(substring_text, string_text) -%}
    {{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
{%- endmacro %}
{% macro default__position(substring_text, string_text) %}

    position(
        {{ substring_text }} in {{ string_text }}
    )
{%- endmacro %}

{% macro replace(field, old_chars, new_chars) -%}
    {{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
{%- endmacro %}
{#- dbt's version ends with two blank lines; so does ours. -#}
{% macro default__replace(field, old_chars, new_chars) %}

    replace(
        {{ field }},
        {{ old_chars }},
        {{ new_chars }}
    )


{% endmacro %}

{% macro right(string_text, length_expression) -%}
    {{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
{%- endmacro %}
{% macro default__right(string_text, length_expression) %}

    right(
        {{ string_text }},
        {{ length_expression }}
    )
{%- endmacro %}

{#- split_part(text, delimiter, n): the n-th field, counting from 1. A
    negative n counts from the end; databases whose split_part cannot do
    that (Postgres) use _split_part_negative, which turns the position
    around using the number of delimiters in the text. -#}
{% macro split_part(string_text, delimiter_text, part_number) -%}
    {{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}
{%- endmacro %}
{% macro default__split_part(string_text, delimiter_text, part_number) %}

    split_part(
        {{ string_text }},
        {{ delimiter_text }},
        {{ part_number }}
        )

{% endmacro %}
{% macro _split_part_negative(string_text, delimiter_text, part_number) %}
{%- set n_delims -%}
length({{ string_text }})
          - length(
              replace({{ string_text }},  {{ delimiter_text }}, '')
          )
{%- endset %}

    split_part(
        {{ string_text }},
        {{ delimiter_text }},
          {{ n_delims }} + 2 + {{ part_number }}
        )

{% endmacro %}

{#- A quoted SQL string; the value is not escaped (see escape_single_quotes). -#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
{%- endmacro %}
{% macro default__string_literal(value) -%}
    '{{ value }}'
{%- endmacro %}

{#- Doubles each apostrophe: they're -> they''re. -#}
{% macro escape_single_quotes(expression) -%}
    {{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
{%- endmacro %}
{% macro default__escape_single_quotes(expression) -%}
    {{ expression | replace("'", "''") }}
{%- endmacro %}

{#- listagg(measure, delimiter, order by clause, limit): string
    aggregation. The default is Snowflake/Redshift-shaped SQL; Postgres has
    its own version in dbt_postgres. -#}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
    {{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}
{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set within = ('within group (' ~ order_by_clause ~ ')') if order_by_clause else '' -%}
    {%- if limit_num -%}
    array_to_string(
        array_slice(
            array_agg(
                {{ measure }}
            ){{ within }}
            ,0
            ,{{ limit_num }}
        ),
        {{ delimiter_text }}
        )
    {%- else %}
    listagg(
        {{ measure }},
        {{ delimiter_text }}
        )
        {{ within }}
    {%- endif -%}
{%- endmacro %}

{#- any_value(expr): some value of expr within the group. -#}
{% macro any_value(expression) -%}
    {{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
{%- endmacro %}
{% macro default__any_value(expression) -%}
    any_value({{ expression }})
{%- endmacro %}

{% macro bool_or(expression) -%}
    {{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
{%- endmacro %}
{% macro default__bool_or(expression) -%}
    bool_or({{ expression }})
{%- endmacro %}

{#- equals(a, b): with the behaviour flag enable_truthy_nulls_equals_macro
    two nulls compare equal; without it this is plain "=". -#}
{% macro equals(expr1, expr2) -%}
    {{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}
{%- endmacro %}
{% macro _truthy_nulls_equals() -%}
    {%- set behavior = adapter.behavior -%}
    {%- if behavior is defined and behavior is not none -%}
        {{ return(behavior.enable_truthy_nulls_equals_macro.no_warn) }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}
{% macro default__equals(expr1, expr2) -%}
    {%- if _truthy_nulls_equals() %}
    case when (({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null))
        then 0
        else 1
    end = 0
    {%- else -%}
    ({{ expr1 }} = {{ expr2 }})
    {%- endif %}
{% endmacro %}

{#- Set operators, each on a line of its own between blank lines. -#}
{% macro except() -%}
    {{ return(adapter.dispatch('except', 'dbt')()) }}
{%- endmacro %}
{% macro default__except() %}

    except

{% endmacro %}

{% macro intersect() -%}
    {{ return(adapter.dispatch('intersect', 'dbt')()) }}
{%- endmacro %}
{% macro default__intersect() %}

    intersect

{% endmacro %}
