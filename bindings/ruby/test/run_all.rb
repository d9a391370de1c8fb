# frozen_string_literal: true

# Runs every test file: `ruby test/run_all.rb` (scripts/test.sh does, with
# INTERTYPE_LIB set).
Dir[File.join(__dir__, "test_*.rb")].sort.each { |f| require f }
