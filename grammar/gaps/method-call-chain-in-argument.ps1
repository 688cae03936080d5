# A command argument that goes on after a method call: `.Split()[-1]`, `.AddDays(1).ToUniversalTime()`.
Get-AzVM -Name ($vm.Id).Split("/")[-1]
Set-AutomationVariable -Name Mark -Value (Get-Date $t).AddDays(1).ToUniversalTime()
