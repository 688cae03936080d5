# expect: MI101 MI501
# why: A splatted Exchange sign-in whose -Organization is the Run As tenant id: Exchange wants the *.onmicrosoft.com domain, so the fix is unsafe, reads the domain from an Automation variable, and removes the splat table.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Connect-ExchangeOnline -ManagedIdentity -ManagedIdentityAccountId $IdentityClientId -Organization (Get-AutomationVariable -Name 'ExchangeOrganization') -ShowBanner:$false

$forwarding = Get-EXOMailbox -ResultSize Unlimited -Properties ForwardingSmtpAddress |
    Where-Object { $_.ForwardingSmtpAddress }
$forwarding | Select-Object DisplayName, ForwardingSmtpAddress | Format-Table -AutoSize
