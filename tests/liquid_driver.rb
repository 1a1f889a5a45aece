# Renders documents with Liquid as GitHub Pages' Jekyll does (lax parsing, unknown variables empty).
#
# One JSON object a line on stdin: {"text": "...", "assigns": {...}}; one a line on stdout:
# {"ok": true, "out": "..."} or {"ok": false, "error": "..."} when Liquid refuses the text (a page
# that would abort the site's build). A line "ready" is written first once Liquid has loaded.
require "json"
require "liquid"

$stdin.set_encoding(Encoding::UTF_8)
$stdout.set_encoding(Encoding::UTF_8)
$stdout.sync = true
$stdout.puts "ready"

$stdin.each_line do |line|
  request = JSON.parse(line)
  reply =
    begin
      template = Liquid::Template.parse(request.fetch("text"), error_mode: :lax)
      out = template.render!(request.fetch("assigns", {}), strict_variables: false, strict_filters: false)
      { "ok" => true, "out" => out }
    rescue Liquid::Error, StandardError => e
      { "ok" => false, "error" => "#{e.class}: #{e.message}" }
    end
  $stdout.puts JSON.generate(reply)
end
